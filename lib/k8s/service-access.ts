import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DNS_1035_LABEL, DNS_1035_LABEL_RULE, DNS_LABEL, DNS_LABEL_RULE, isDnsSubdomain, isLabelValue, LABEL_KEY, PropsValidator } from '../catalog';
import { isModelService, IModelService } from './model-service-attributes';
import { reservedBy, reserveNames } from './reserved-names';
import { ServicePeer } from './service-peer';
import { callerRule } from './traffic/caller-rule';
import { RequestAuthOptions, serviceAccountPrincipal } from './traffic/request-authentication';

/** What `service.allowFrom(peer)` created: the rules that admit exactly that peer. */
export interface ServiceAccess {
  /** Whom they admit. */
  readonly peer: ServicePeer;
  /**
   * Admits the peer's pods (in their namespace) to the service's inference ports: under the
   * namespace's default deny, a NetworkPolicy is what lets a connection reach the pods at all.
   */
  readonly networkPolicy: kplus.NetworkPolicy;
  /**
   * Admits the peer's mesh identities to the inference ports without a JWT, when the service has
   * `auth`. Without auth there is no ALLOW policy to add to: the mesh admits every caller that the
   * NetworkPolicy lets through, and making one here would refuse all the others.
   */
  readonly authorizationPolicy?: ApiObject;
  /**
   * Lets the peer's pods reach the service, when the peer is a ModelService of this app in
   * another namespace: its own namespace denies egress beyond itself.
   */
  readonly peerEgressPolicy?: kplus.NetworkPolicy;
}

/** The ModelService that admits, as createServiceAccess needs it. */
export interface AccessTarget extends ServiceSide {
  /** Its inference ports in the pods (HTTP, then gRPC). */
  readonly podPorts: readonly number[];
  readonly auth?: RequestAuthOptions;
  /** The grants it already made. */
  readonly grants: readonly ServiceAccess[];
}

/** One side of a grant: a ModelService of this app, where its objects go. */
export interface ServiceSide {
  readonly scope: Construct;
  /** Its chart: where object names are reserved. */
  readonly chart: object;
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The rules that let `peer` call `target`: a NetworkPolicy for its pods, an AuthorizationPolicy
 * rule for its identities when the target has auth, and the peer's egress when it is a ModelService
 * of this app (`peerSide`) in another namespace. Everything is checked before anything is made.
 */
export function createServiceAccess(target: AccessTarget, given: unknown, peerSide?: ServiceSide): ServiceAccess {
  const check = new PropsValidator(target.scope.node.path);
  const peer = asPeer(check, given);
  const namespace = peer.namespace ?? target.namespace;
  validatePeer(check, target, peer, namespace);
  const base = `${target.name}-from-${namespace}-${peer.name}${{ 'model-service': '', 'pipeline': '-pipeline', 'service-account': '-sa' }[peer.kind]}`;
  const crossNamespace = namespace !== target.namespace;
  const egressName = peerSide && crossNamespace ? `${peerSide.name}-to-${target.namespace}-${target.name}` : undefined;
  claimAccessNames(check, target, base, peerSide, egressName);

  const id = `allow-${peer.kind}-${namespace}-${peer.name}`;
  const ports = target.podPorts.map((p) => kplus.NetworkPolicyPort.tcp(p));
  const scope = target.scope;
  const namespaces = kplus.Namespaces.select(scope, `${id}-namespace`, { names: [namespace] });
  const rules = peer.podSelectors.length === 0
    ? [{ peer: namespaces, ports }]
    : peer.podSelectors.map((labels, i) => ({ peer: kplus.Pods.select(scope, `${id}-pods-${i}`, { labels: { ...labels }, namespaces }), ports }));
  const networkPolicy = new kplus.NetworkPolicy(scope, id, {
    metadata: { name: base, labels: { ...target.labels } },
    selector: kplus.Pods.select(scope, `${id}-selector`, { labels: { ...target.selector } }),
    ingress: { rules },
  });
  const auth = target.auth;
  const principals = peer.serviceAccounts.map((name) => serviceAccountPrincipal({ name, namespace }, namespace, auth?.trustDomain));
  const authorizationPolicy = auth === undefined ? undefined : new ApiObject(scope, `${id}-authorization`, {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: base, labels: { ...target.labels } },
    spec: { selector: { matchLabels: { ...target.selector } }, action: 'ALLOW', rules: [callerRule(principals, target.podPorts.map(String))] },
  });
  const peerEgressPolicy = egressName ? createPeerEgress(peerSide!, target, egressName) : undefined;
  return { peer, networkPolicy, authorizationPolicy, peerEgressPolicy };
}

/** The peer as given: a ServicePeer, or a model service (a ModelService or an imported one). */
function asPeer(check: PropsValidator, given: unknown): ServicePeer {
  if (given instanceof ServicePeer) return given;
  check.that(
    isModelService(given),
    'allowFrom',
    Construct.isConstruct(given) ? `(construct ${given.node.path})` : given,
    'is neither a model service nor a ServicePeer',
    'pass another ModelService (or ModelService.fromServiceName(...)), ServicePeer.pipeline(name) or ServicePeer.serviceAccount({ name, namespace })',
  );
  return ServicePeer.modelService(given as IModelService);
}

/**
 * Names Kubernetes takes; not the service itself; each peer once; and a peer named by its
 * ServiceAccount without pod labels only where an AuthorizationPolicy checks the identity.
 */
function validatePeer(check: PropsValidator, target: AccessTarget, peer: ServicePeer, namespace: string): void {
  check.matches('allowFrom.namespace', namespace, DNS_LABEL, DNS_LABEL_RULE);
  if (peer.kind === 'service-account') {
    check.that(isDnsSubdomain(peer.name), 'allowFrom.name', peer.name, 'is not a valid ServiceAccount name', 'name the ServiceAccount the caller\'s pods run as');
  } else {
    check.matches('allowFrom.name', peer.name, DNS_1035_LABEL, DNS_1035_LABEL_RULE);
  }
  for (const labels of peer.podSelectors) {
    check.that(Object.keys(labels).length > 0, 'allowFrom.podLabels', labels, 'is empty', 'give the labels the caller\'s pods carry, or leave podLabels out');
    for (const [k, v] of Object.entries(labels)) {
      check.that(LABEL_KEY.test(k) && isLabelValue(v), 'allowFrom.podLabels', { [k]: v }, 'is not a valid label', 'use a label key with an optional DNS prefix and a value of at most 63 letters, digits, "-", "_" or "."');
    }
  }
  const described = peer.describe(target.namespace);
  check.that(
    !(peer.kind === 'model-service' && peer.name === target.name && namespace === target.namespace),
    'allowFrom',
    described,
    'is the service itself, whose own pods reach it without a grant',
    'pass the service that calls this one',
  );
  const same = (other: ServicePeer) => other.kind === peer.kind && other.name === peer.name && (other.namespace ?? target.namespace) === namespace;
  const twice = target.grants.some((g) => same(g.peer));
  check.that(!twice, 'allowFrom', described, 'is admitted already', 'call allowFrom once per peer');
  check.that(
    peer.podSelectors.length > 0 || target.auth !== undefined,
    'allowFrom',
    described,
    'has no podLabels, so the NetworkPolicy would admit every pod of its namespace, and the service has no auth whose AuthorizationPolicy could narrow that to the account',
    'give the podLabels of the caller\'s pods, or set auth on the service',
  );
}

/** The grant's object names, and the peer's egress policy's in the peer's chart: each given once. */
function claimAccessNames(
  check: PropsValidator,
  target: AccessTarget,
  base: string,
  peerSide: ServiceSide | undefined,
  egressName: string | undefined,
): void {
  const path = target.scope.node.path;
  check.that(base.length <= 253, 'allowFrom', base, 'makes an object name longer than the 253 characters Kubernetes allows', 'admit a peer with a shorter name');
  for (const kind of ['NetworkPolicy', ...(target.auth ? ['AuthorizationPolicy'] : [])]) {
    const owner = reservedBy(target.chart, kind, base, path);
    check.that(owner === undefined, 'allowFrom', base, `gives ${kind} "${base}", which ${owner} already creates in this chart`, 'rename one of the peers');
  }
  if (peerSide && egressName) {
    const owner = reservedBy(peerSide.chart, 'NetworkPolicy', egressName, path);
    check.that(owner === undefined, 'allowFrom', egressName, `gives NetworkPolicy "${egressName}" in the peer's chart, which ${owner} already creates`, 'rename one of the services');
    reserveNames(peerSide.chart, path, [['NetworkPolicy', egressName]]);
  }
  reserveNames(target.chart, path, [['NetworkPolicy', base], ...(target.auth ? [['AuthorizationPolicy', base] as const] : [])]);
}

/** In the peer's chart: its pods may reach the target's pods, in the target's namespace, on its inference ports. */
function createPeerEgress(peer: ServiceSide, target: AccessTarget, name: string): kplus.NetworkPolicy {
  const scope = peer.scope;
  const id = `allow-to-${target.namespace}-${target.name}`;
  const namespaces = kplus.Namespaces.select(scope, `${id}-namespace`, { names: [target.namespace] });
  return new kplus.NetworkPolicy(scope, id, {
    metadata: { name, labels: { ...peer.labels } },
    selector: kplus.Pods.select(scope, `${id}-selector`, { labels: { ...peer.selector } }),
    egress: {
      rules: [{
        peer: kplus.Pods.select(scope, `${id}-pods`, { labels: { ...target.selector }, namespaces }),
        ports: target.podPorts.map((p) => kplus.NetworkPolicyPort.tcp(p)),
      }],
    },
  });
}
