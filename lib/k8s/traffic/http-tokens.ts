/**
 * What Kubernetes and Istio accept for the names and values a user types into traffic options.
 * One place, so that a rollout, a load balancer and a gateway reject the same things the same way.
 */

// The Kubernetes name rules live in the catalog; traffic options use them from here too.
export { DNS_SUBDOMAIN_RULE, isDnsSubdomain, isLabelValue, LABEL_VALUE, LABEL_VALUE_RULE } from '../../catalog/kubernetes-names';

/**
 * HTTP header name as Istio matches it: Envoy lower-cases header names, and Istio rejects a match
 * on an upper-case name, so only lower-case tokens are accepted.
 */
export const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
export const HEADER_NAME_RULE = 'a lower-case HTTP token (letters a-z, digits and !#$%&\'*+.^_`|~-), e.g. "x-model-variant"';

/** Pseudo-headers and hop-by-hop headers that a route must not match on. */
const RESERVED_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'proxy-connection']);

export function isHeaderName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 256 && HEADER_NAME.test(value) && !RESERVED_HEADERS.has(value);
}

/** Visible ASCII and inner spaces, no line breaks or surrounding spaces: text Istio can match exactly. */
export function isPrintableAscii(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength && /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value);
}

/** A header value we can match exactly. */
export function isHeaderValue(value: unknown): value is string {
  return isPrintableAscii(value, 1024);
}

/** Cookie name: an RFC 6265 token. */
export const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
export const COOKIE_NAME_RULE = 'an RFC 6265 token: letters, digits and !#$%&\'*+.^_`|~-, no spaces, "=" or ";"';

export function isCookieName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 256 && COOKIE_NAME.test(value);
}

/** Cookie value: RFC 6265 cookie-octets (no spaces, quotes, commas, semicolons or backslashes). */
export function isCookieValue(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 1024 && /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/.test(value);
}

/** Escapes text for use as a literal inside an RE2 regular expression (Envoy's regex engine). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * A regex that matches a whole `Cookie` header carrying `name=value`. Envoy's `safe_regex` header
 * match must match the *entire* header value, so the pattern spans the cookies before and after,
 * and anchors the name at the start or after `; ` so that `xname=value` or `name=value2` do not match.
 */
export function cookieHeaderRegex(name: string, value: string): string {
  return `^(.*?;\\s*)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$`;
}

/** A DNS name for a Gateway and VirtualService host; a leading `*.` wildcard is allowed. */
export const HOSTNAME = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
export const HOSTNAME_RULE = 'a lower-case DNS name with at least one dot, optionally starting with "*." (e.g. "models.example.com" or "*.example.com")';
