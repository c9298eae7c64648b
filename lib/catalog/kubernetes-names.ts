/**
 * What Kubernetes accepts for label keys, label values and object names: one definition for the
 * node pool specs, the ModelService props, the traffic options and the AWS Pod Identity grants.
 */

/** Optional DNS-subdomain prefix and a `/`, then a name of at most 63 characters. */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value, which may be empty: at most 63 characters. */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
export const LABEL_VALUE_RULE = 'letters, digits, "-", "_" and ".", starting and ending with a letter or digit, at most 63 characters';

/** A non-empty label value (a model id or version, which the pods carry as labels). */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && LABEL_VALUE.test(value);
}

/** DNS-1035 label: what a Service name may be (a DNS-1123 label that starts with a letter). */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_1035_LABEL_RULE = 'lowercase letters, digits and "-", starting with a letter and ending with a letter or digit, at most 63 characters';

/** A key of a ConfigMap's or a Secret's data. */
export function isConfigKey(value: unknown): value is string {
  return typeof value === 'string' && /^[-._a-zA-Z0-9]{1,253}$/.test(value);
}

/** DNS-1123 subdomain: what Secret and ServiceAccount names may be. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_SUBDOMAIN_RULE = 'lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters';

export function isDnsSubdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DNS_SUBDOMAIN.test(value);
}
