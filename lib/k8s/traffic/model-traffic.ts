import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_LABEL_RULE, LABEL_KEY, PropsValidator, formatValue } from '../../catalog';
import { SERVICE_LABEL } from '../labels';
import { Rollout, Track } from '../rollout';
import { authorizationPolicySpec } from './authorization-policy';
import { validateFaults } from './fault-injection';
import { gatewayServers } from './gateway-tls';
import { isLabelValue } from './http-tokens';
import { expectedTrackNames, httpRoutes } from './http-routes';
import { LoadBalancerOptions, resolveLoadBalancer, validateLoadBalancer } from './load-balancer';
import { validateStickyWithRollout } from './sticky-sessions';
import {
  DEFAULT_GATEWAY_SELECTOR,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  DEFAULT_RETRY_ATTEMPTS,
  DEFAULT_RETRY_ON,
  TrafficOptions,
  validateTrafficOptions,
} from './traffic-options';
import { rateLimitFilterSpec } from './rate-limit';
import { requestAuthenticationSpec } from './request-authentication';
import { destinationRuleSpec } from './traffic-policy';
import { validateRollout } from './validate-rollout';
import { inferencePorts, validateWorkloadEndpoints, WorkloadEndpoints } from './workload-endpoints';
import { checkConstructProps } from '../../catalog/props-check';

export interface ModelTrafficProps extends TrafficOptions {
  /** Name of the Kubernetes Service in front of the model's pods. */
  readonly serviceName: string;
  /**
   * Namespace of the Service and of the objects created here.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /** Service port of the model's HTTP API (the routes' destination port). */
  readonly port: number;
  /**
   * Service port of the model's gRPC API: gRPC calls to it are routed to it, with the same
   * strategy as the HTTP API.
   * @default - no gRPC API
   */
  readonly grpcPort?: number;
  /**
   * Service port of the server's metrics, which gets a route of its own.
   * @default - no metrics route
   */
  readonly metricsPort?: number;
  /**
   * The Deployments of the service, one per track: `resolveTracks(model.version, rollout)`. Each
   * track's pods must carry the label `modelserve.io/track: <track name>` (TRACK_LABEL); the
   * track names must be the ones the rollout routes to.
   */
  readonly tracks: readonly Track[];
  /** The rollout strategy the tracks were resolved from: decides the routes. */
  readonly rollout: Rollout;
  /** @default - least-connections, no sticky sessions, outlier sweep every 10 s */
  readonly loadBalancer?: LoadBalancerOptions;
  /**
   * Answer every request with 503 without calling the model (the Deployments are scaled to zero).
   * @default false
   */
  readonly stopped?: boolean;
  /**
   * Labels of every object created here.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Labels of every pod of the service, all tracks: what `auth` and `rateLimit` select.
   * @default { 'modelserve.io/service': serviceName }
   */
  readonly podSelector?: Readonly<Record<string, string>>;
  /**
   * The container ports the pods receive requests on, which `auth` and `rateLimit` match, and the
   * metrics endpoint that `auth` keeps open to Prometheus.
   * @default - the Service ports (`port`, `grpcPort`) and no metrics endpoint
   */
  readonly workload?: WorkloadEndpoints;
}

/**
 * Istio traffic management for one model service: a DestinationRule (load balancing, mTLS,
 * circuit breaking and outlier detection, a subset per track), a VirtualService that splits,
 * matches or mirrors requests between the tracks as the rollout says, and optionally an ingress
 * Gateway with TLS.
 */
export class ModelTraffic extends Construct {
  /** Fully qualified host of the service inside the mesh: `<service>.<namespace>.svc.cluster.local`. */
  public readonly host: string;
  public readonly namespace: string;
  public readonly destinationRule: ApiObject;
  public readonly virtualService: ApiObject;
  /** The ingress Gateway, when `gateway` is set. */
  public readonly gateway?: ApiObject;
  /** The JWT RequestAuthentication, when `auth.jwt` is set. */
  public readonly requestAuthentication?: ApiObject;
  /** The ALLOW AuthorizationPolicy, when `auth` is set. */
  public readonly authorizationPolicy?: ApiObject;
  /** The EnvoyFilter with the per-replica rate limit, when `rateLimit` is set. */
  public readonly rateLimitFilter?: ApiObject;

  constructor(scope: Construct, id: string, props: ModelTrafficProps) {
    checkConstructProps(ModelTraffic, scope, id, props);
    super(scope, id);
    const check = new PropsValidator(this.node.path);
    validateModelTrafficProps(check, props);

    const namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    check.matches('namespace', namespace, DNS_LABEL, DNS_LABEL_RULE);
    this.namespace = namespace;
    this.host = `${props.serviceName}.${namespace}.svc.cluster.local`;
    const metadata = (name: string) => ({ name, namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) });

    this.destinationRule = new ApiObject(this, 'destination-rule', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: metadata(props.serviceName),
      spec: destinationRuleSpec(this.host, props.tracks, resolveLoadBalancer(props.loadBalancer), props.circuitBreaker, props.rollout),
    });
    this.gateway = props.gateway ? this.createGateway(props, metadata) : undefined;
    this.virtualService = this.createVirtualService(props, metadata);

    // Request security: kept while the service is stopped, so that restarting it never opens a
    // window without them.
    const pods = props.podSelector ?? { [SERVICE_LABEL]: props.serviceName };
    const workload = props.workload ?? { httpPort: props.port, grpcPort: props.grpcPort };
    if (props.auth?.jwt) {
      this.requestAuthentication = new ApiObject(this, 'request-authentication', {
        apiVersion: 'security.istio.io/v1',
        kind: 'RequestAuthentication',
        metadata: metadata(props.serviceName),
        spec: requestAuthenticationSpec(pods, props.auth.jwt),
      });
    }
    if (props.auth) {
      this.authorizationPolicy = new ApiObject(this, 'authorization-policy', {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: metadata(props.serviceName),
        spec: authorizationPolicySpec(pods, props.auth, workload, namespace),
      });
    }
    if (props.rateLimit) {
      this.rateLimitFilter = new ApiObject(this, 'rate-limit', {
        // The version the Istio CRD schemas (and every Istio since 1.0) serve; EnvoyFilter has no v1.
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'EnvoyFilter',
        metadata: metadata(`${props.serviceName}-rate-limit`),
        spec: rateLimitFilterSpec(pods, inferencePorts(workload), props.rateLimit, workload.metrics),
      });
    }
  }

  /** The ingress Gateway with its TLS servers, named after the service unless given a name. */
  private createGateway(props: ModelTrafficProps, metadata: (name: string) => Record<string, unknown>): ApiObject {
    const gw = props.gateway!;
    return new ApiObject(this, 'gateway', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: metadata(gw.name ?? props.serviceName),
      spec: { selector: { ...(gw.selector ?? DEFAULT_GATEWAY_SELECTOR) }, servers: gatewayServers(gw) },
    });
  }

  /** The routes between the tracks, for in-mesh callers and, with a gateway, for its hosts too. */
  private createVirtualService(props: ModelTrafficProps, metadata: (name: string) => Record<string, unknown>): ApiObject {
    const hosts = [this.host];
    const gateways: string[] = [];
    const gateway = props.gateway ? `${this.namespace}/${props.gateway.name ?? props.serviceName}` : undefined;
    if (gateway) {
      hosts.push(...props.gateway!.hosts);
      // "mesh" keeps the routes for in-cluster callers once the VirtualService names a gateway.
      gateways.push(gateway, 'mesh');
    }
    return new ApiObject(this, 'virtual-service', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: metadata(props.serviceName),
      spec: {
        hosts,
        ...(gateways.length ? { gateways } : {}),
        http: httpRoutes({
          host: this.host,
          port: props.port,
          grpcPort: props.grpcPort,
          metricsPort: props.metricsPort,
          gateway,
          tracks: props.tracks,
          rollout: props.rollout,
          timeoutSeconds: props.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
          retries: {
            attempts: props.retries?.attempts ?? DEFAULT_RETRY_ATTEMPTS,
            perTryTimeoutSeconds: props.retries?.perTryTimeoutSeconds,
            retryOn: props.retries?.retryOn ?? DEFAULT_RETRY_ON,
          },
          stopped: props.stopped ?? false,
          faults: props.faults,
        }),
      },
    });
  }
}

/**
 * Everything ModelTraffic checks before it creates anything. A ModelService checks the rollout,
 * load balancer and traffic options itself with its own field names; this adds the wiring: tracks
 * that match the rollout, the service name and port.
 */
function validateModelTrafficProps(check: PropsValidator, props: ModelTrafficProps): void {
  check.that(typeof props === 'object' && props !== null, 'props', props, 'are not set', 'pass { serviceName, port, tracks, rollout }');
  check.that(typeof props.serviceName === 'string', 'serviceName', props.serviceName, 'is not set', 'give the name of the Service in front of the model pods');
  check.matches('serviceName', props.serviceName, DNS_LABEL, DNS_LABEL_RULE);
  check.that(props.port !== undefined, 'port', props.port, 'is not set', 'give the Service port of the model API, e.g. 8080');
  check.integerInRange('port', props.port, 1, 65535);
  check.integerInRange('grpcPort', props.grpcPort, 1, 65535);
  check.that(props.grpcPort !== props.port, 'grpcPort', props.grpcPort, 'is the HTTP port too', 'give the gRPC API its own Service port');
  check.integerInRange('metricsPort', props.metricsPort, 1, 65535);
  check.that(props.metricsPort === undefined || (props.metricsPort !== props.port && props.metricsPort !== props.grpcPort), 'metricsPort', props.metricsPort, 'is the HTTP or gRPC port too', 'give the metrics their own Service port, or leave metricsPort out');
  check.that(props.rollout instanceof Rollout, 'rollout', props.rollout, 'is not a rollout strategy', 'pass the Rollout the tracks were resolved from, e.g. Rollout.canary({ newVersion, weight })');
  check.that(Array.isArray(props.tracks) && props.tracks.length > 0, 'tracks', props.tracks, 'is empty', 'pass resolveTracks(model.version, rollout)');

  const names = props.tracks.map((t) => t.name);
  const expected = expectedTrackNames(props.rollout);
  check.that(
    names.length === expected.length && expected.every((n) => names.includes(n)),
    'tracks',
    names,
    `do not match the ${props.rollout.kind} rollout, which routes to tracks ${formatValue(expected)}`,
    'pass resolveTracks(model.version, rollout) for the same rollout',
  );
  props.tracks.forEach((t, i) => {
    check.that(isLabelValue(t.version), `tracks[${i}].version`, t.version, 'is not a valid label value', 'use a model version such as "1.1.0"');
    check.that(Number.isInteger(t.weight) && t.weight >= 0 && t.weight <= 100, `tracks[${i}].weight`, t.weight, 'must be a whole percentage from 0 to 100', 'pass resolveTracks(model.version, rollout)');
  });
  const sum = props.tracks.reduce((a, t) => a + t.weight, 0);
  check.that(sum === 100, 'tracks', props.tracks.map((t) => `${t.name}=${t.weight}`), `have weights that add up to ${sum}, not 100`, 'pass resolveTracks(model.version, rollout)');

  const current = props.tracks.find((t) => t.name === expected[0])?.version ?? '';
  validateRollout(check, props.rollout, current);
  validateLoadBalancer(check, props.loadBalancer);
  validateStickyWithRollout(check, props.loadBalancer, props.rollout, current);
  validateTrafficOptions(check, props, '');
  validateFaults(check, props.faults, { field: 'faults', production: false, progressive: props.rollout.kind === 'progressive' });
  validateWorkloadEndpoints(check, props.workload, 'workload');
  if (props.podSelector !== undefined) {
    const entries = Object.entries(props.podSelector);
    check.that(entries.length > 0, 'podSelector', props.podSelector, 'is empty, which would select every pod of the namespace', `give the labels every pod of the service carries, e.g. { "${SERVICE_LABEL}": "${props.serviceName}" }`);
    for (const [k, v] of entries) {
      check.that(LABEL_KEY.test(k) && isLabelValue(v), 'podSelector', { [k]: v }, 'is not a valid label', 'use a label key with an optional DNS prefix and a value of at most 63 letters, digits, "-", "_" or "."');
    }
  }
}
