import { K8sObject } from './serving';

/**
 * Kubernetes NetworkPolicy and Istio ALLOW AuthorizationPolicy semantics, read from the documents
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/,
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/), to ask of
 * synthesized objects whether one pod may call another: the facts a grant must establish.
 */
export interface Pod {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };

/** A label selector selects the labels (matchLabels, and the Exists / In operators). */
export function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === 'Exists') return e.key in labels;
    if (e.operator === 'In') return (e.values ?? []).includes(labels[e.key]);
    throw new Error(`operator ${e.operator} not modelled`);
  });
  return byLabel && byExpression;
}

function peerMatches(peer: any, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector !== undefined
    ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace })
    : pod.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector, pod.labels);
}

function portMatches(rule: any, port: number): boolean {
  return rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((p: any) => (p.protocol ?? 'TCP') === 'TCP' && p.port === port);
}

function isolating(policies: readonly K8sObject[], pod: Pod, direction: 'Ingress' | 'Egress'): K8sObject[] {
  return policies.filter((p) => p.kind === 'NetworkPolicy'
    && p.metadata.namespace === pod.namespace
    && selects(p.spec.podSelector, pod.labels)
    && (p.spec.policyTypes ?? ['Ingress']).includes(direction));
}

/** `to` accepts a TCP connection from `from` on `port`: no policy isolates it, or one of those that do has a rule for it. */
export function ingressAllowed(policies: readonly K8sObject[], to: Pod, from: Pod, port: number): boolean {
  const selecting = isolating(policies, to, 'Ingress');
  return selecting.length === 0 || selecting.some((p) => (p.spec.ingress ?? []).some((r: any) =>
    portMatches(r, port) && (r.from === undefined || r.from.length === 0 || r.from.some((f: any) => peerMatches(f, p.metadata.namespace!, from)))));
}

/** `from` may open a TCP connection to `to` on `port`. */
export function egressAllowed(policies: readonly K8sObject[], from: Pod, to: Pod, port: number): boolean {
  const selecting = isolating(policies, from, 'Egress');
  return selecting.length === 0 || selecting.some((p) => (p.spec.egress ?? []).some((r: any) =>
    portMatches(r, port) && (r.to === undefined || r.to.length === 0 || r.to.some((t: any) => peerMatches(t, p.metadata.namespace!, to)))));
}

/** Both ends' policies let the connection through. */
export function connects(policies: readonly K8sObject[], from: Pod, to: Pod, port: number): boolean {
  return egressAllowed(policies, from, to, port) && ingressAllowed(policies, to, from, port);
}

/**
 * Istio admits a request from mesh identity `principal` to `port` of the pod: no ALLOW policy
 * selects the pod, or a rule of one matches (principals exact or `*`-suffixed, ports, no other
 * conditions). Rules with request principals, paths or methods are not modelled and match nothing.
 */
export function meshAdmits(objects: readonly K8sObject[], to: Pod, principal: string, port: number): boolean {
  const allow = objects.filter((o) => o.kind === 'AuthorizationPolicy'
    && o.metadata.namespace === to.namespace
    && (o.spec.action ?? 'ALLOW') === 'ALLOW'
    && selects(o.spec.selector, to.labels));
  const principalMatches = (p: string) => p === principal || p === '*' || (p.endsWith('*') && principal.startsWith(p.slice(0, -1)));
  return allow.length === 0 || allow.some((ap) => (ap.spec.rules ?? []).some((r: any) =>
    (r.from ?? []).some((f: any) => f.source && Object.keys(f.source).length === 1 && (f.source.principals ?? []).some(principalMatches))
    && (r.to ?? []).some((t: any) => Object.keys(t.operation ?? {}).length === 1 && (t.operation.ports ?? []).includes(String(port)))
    && r.when === undefined));
}
