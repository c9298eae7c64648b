import { createHash } from 'node:crypto';
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator, warnRisk } from '../catalog';
import { createDisruptionBudget } from './disruption';
import { InferenceRouting } from './inference/inference-routing';
import { SERVICE_LABEL, serviceLabels, TRACK_LABEL, trackSelector } from './labels';
import { ModelServiceProps } from './model-service-props';
import { createExternalServices } from './external-services';
import { createResourceRecommendations } from './resource-recommendations';
import { warmupBodies as warmupRequestBodies } from './model-warmup';
import { createNetworkPolicy } from './network-policy';
import { createHorizontalPodAutoscaler, createScaledObject } from './scaling';
import { ServingChart } from './serving-chart';
import { ModelMonitoring } from './monitoring';
import { MIN_SERVING_PODS } from './plan-scaling';
import { ProgressiveDelivery, ProgressiveOptions } from './progressive';
import { DEFAULT_PROMETHEUS_URL } from './prometheus-endpoint';
import { FAULT_INJECTION_WARNING, FaultInjectionOptions } from './traffic/fault-injection';
import { connectionLimitDefaults, ModelTraffic, progressiveRouteNames, ReplicaShape } from './traffic';
import { claimObjectNames, ModelServicePlan, PlannedTrack, planModelService } from './validate-model-service';
import { createTrackDeployment, SharedPodParts, userEnv } from './workload';
import { checkConstructProps } from '../catalog/props-check';
import { ImportedModelService } from './imported-model-service';
import { IModelService, ModelServiceAttributes, ModelServiceAuth } from './model-service-attributes';
import { defaultInferencePath } from './pipeline/inference-path';
import { createServiceAccess, ServiceAccess, ServiceSide } from './service-access';
import { ServicePeer } from './service-peer';
import { RequestAuthOptions } from './traffic/request-authentication';

/** Service port of the HTTP inference API: callers use `http://<host>/...`. */
export const HTTP_SERVICE_PORT = 80;
/** Service port names: the `http-`/`grpc-` prefixes tell Istio the protocol. */
export const SERVICE_PORT_NAMES = { http: 'http-inference', grpc: 'grpc-inference', metrics: 'http-metrics' } as const;

/**
 * One model behind one Service: a Deployment per rollout track running the model server, placed on
 * the chart's node pools that fit it, scaled by an HPA or a KEDA ScaledObject, protected by a
 * PodDisruptionBudget and a NetworkPolicy, routed by Istio (ModelTraffic) and watched by
 * Prometheus (ModelMonitoring). Every prop is checked before any object is created.
 */
export class ModelService extends Construct implements IModelService {
  /**
   * A model service defined elsewhere (another app, another team's chart), to call from a pipeline
   * or to admit with `allowFrom`: it creates nothing, and its attributes are checked for their form only.
   */
  public static fromServiceName(scope: Construct, id: string, attributes: ModelServiceAttributes): IModelService {
    return ImportedModelService.fromAttributes(scope, id, attributes);
  }

  /** Name of the service and prefix of its objects. */
  public readonly name: string;
  /** Name of the Kubernetes Service. */
  public readonly serviceName: string;
  public readonly namespace: string;
  /** `<service>.<namespace>.svc.cluster.local`. */
  public readonly host: string;
  /** One per track, in the order the rollout lists them (stable/blue/a first). */
  public readonly deployments: readonly kplus.Deployment[];
  /** Labels every object of the service carries. */
  public readonly labels: Readonly<Record<string, string>>;
  /** Selects every object (and every pod) of the service: `{ 'modelserve.io/service': name }`. */
  public readonly selector: Readonly<Record<string, string>>;
  public readonly service: kplus.Service;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly traffic: ModelTraffic;
  public readonly monitoring: ModelMonitoring;
  /** The HPAs, one per track, when scaling on CPU and memory only and not stopped. */
  public readonly autoscalers: readonly kplus.HorizontalPodAutoscaler[];
  /** The KEDA ScaledObjects, one per track, when scaling on GPU, request rate or queue length. */
  public readonly scaledObjects: readonly ApiObject[];
  /** The props with defaults applied, as checked. */
  public readonly plan: ModelServicePlan;
  /** The recommendation-only VerticalPodAutoscalers, one per track, with `resourceRecommendations`. */
  public readonly verticalPodAutoscalers: readonly ApiObject[];
  /** The InferencePool, its endpoint picker, Gateway and HTTPRoute, with `inferencePool`. */
  public readonly inference?: InferenceRouting;
  /**
   * The Argo Rollout and its AnalysisTemplates, with `Rollout.progressive()`. The Deployment then
   * only holds the pod template (scaled to zero); the Rollout runs the pods.
   */
  public readonly progressive?: ProgressiveDelivery;

  private readonly authOptions?: RequestAuthOptions;
  private readonly chart: ServingChart;
  private readonly accessGrants: ServiceAccess[] = [];

  constructor(scope: Construct, id: string, props: ModelServiceProps) {
    checkConstructProps(ModelService, scope, id, props);
    // Everything is checked before the construct joins the tree, so a bad prop leaves nothing behind.
    const { chart, plan, warmupBodies } = planBeforeJoining(scope, id, props);
    super(scope, id);
    this.plan = plan;
    this.chart = chart;
    this.authOptions = props.auth;
    this.name = plan.name;
    this.serviceName = plan.name;
    this.namespace = plan.namespace;
    this.host = `${plan.name}.${plan.namespace}.svc.cluster.local`;
    const labels = serviceLabels(plan.name, plan.modelId, plan.modelVersion, plan.cost);
    this.labels = labels;
    this.selector = { [SERVICE_LABEL]: plan.name };

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: plan.serviceAccountName, labels },
      automountToken: plan.automountServiceAccountToken,
    });
    const shared = this.createSharedPodParts(plan, props, labels, warmupBodies);
    const tracks = this.createTracks(plan, props, labels, shared, chart);
    this.deployments = tracks.deployments;
    this.progressive = tracks.progressive;
    this.autoscalers = tracks.autoscalers;
    this.scaledObjects = tracks.scaledObjects;
    this.verticalPodAutoscalers = tracks.verticalPodAutoscalers;

    this.service = this.createService(plan, labels);
    createNetworkPolicy(this, plan, labels);
    if (props.externalServices) createExternalServices(this, plan.name, props.externalServices, labels);
    this.traffic = this.createTraffic(plan, props, labels, chart);
    if (props.faults && plan.production) {
      warnRisk(this, FAULT_INJECTION_WARNING, `faults inject ${describeFaults(props.faults)} production requests${props.faults.header ? ` carrying ${props.faults.header.name}: ${props.faults.header.value}` : ''}`);
    }
    if (plan.inferencePool) this.inference = this.createInferenceRouting(plan, labels, chart);
    this.monitoring = this.createMonitoring(plan, props, labels);
  }

  /** Service port of the HTTP inference API: `http://<host>/...`. */
  public get port(): number {
    return HTTP_SERVICE_PORT;
  }

  /** Service port of the gRPC inference API, when the server has one. */
  public get grpcPort(): number | undefined {
    return this.plan.server.grpcPort;
  }

  /** The server's inference ports in the pods: HTTP, then gRPC. */
  public get podPorts(): readonly number[] {
    const server = this.plan.server;
    return [server.httpPort, ...(server.grpcPort !== undefined ? [server.grpcPort] : [])];
  }

  /** The ServiceAccount the pods run as. */
  public get serviceAccountName(): string {
    return this.plan.serviceAccountName;
  }

  /** The server's own inference path for the model (undefined for a custom server). */
  public get inferencePath(): string | undefined {
    return defaultInferencePath(this.plan);
  }

  /** The mesh's timeout of one request to the service, retries included, seconds. */
  public get requestTimeoutSeconds(): number {
    return this.plan.requestTimeoutSeconds;
  }

  /** Who the service admits when it has `auth`: its allowedServiceAccounts, then every allowFrom's. */
  public get auth(): ModelServiceAuth | undefined {
    const auth = this.authOptions;
    if (auth === undefined) return undefined;
    const listed = (auth.allowedServiceAccounts ?? []).map((sa) => ({ name: sa.name, namespace: sa.namespace ?? this.namespace }));
    const granted = this.accessGrants.flatMap((g) => g.peer.serviceAccounts.map((name) => ({ name, namespace: g.peer.namespace ?? this.namespace })));
    return { jwt: auth.jwt !== undefined, allowedServiceAccounts: [...listed, ...granted] };
  }

  /** What `allowFrom` created, in the order it was called. */
  public get grants(): readonly ServiceAccess[] {
    return [...this.accessGrants];
  }

  /**
   * Lets `peer` call the service's inference ports: another model service, a pipeline
   * (`ServicePeer.pipeline(name)`) or the pods of a ServiceAccount (`ServicePeer.serviceAccount()`),
   * in this namespace or another. Adds a NetworkPolicy that admits the peer's pods; with `auth`, an
   * AuthorizationPolicy that admits its identities without a JWT; and, for a ModelService of this
   * app in another namespace, that service's egress to this one. Returns what it created.
   */
  public allowFrom(peer: IModelService | ServicePeer): ServiceAccess {
    // A ModelService of this app, given or inside a ServicePeer: its egress can be opened on its side.
    const peerService = peer instanceof ServicePeer ? peer.service : peer;
    const peerSide = peerService instanceof ModelService ? peerService.side() : undefined;
    const target = { ...this.side(), podPorts: this.podPorts, auth: this.authOptions, grants: this.accessGrants };
    const access = createServiceAccess(target, peer, peerSide);
    this.accessGrants.push(access);
    return access;
  }

  /** This service as one side of a grant. */
  private side(): ServiceSide {
    return { scope: this, chart: this.chart, name: this.name, namespace: this.namespace, selector: this.selector, labels: this.labels };
  }

  /**
   * What every track's pods share: the ConfigMaps (the user's config, the server's config files, the
   * warm-up bodies), a hash of their data that rolls the pods when it changes, and the environment.
   */
  private createSharedPodParts(
    plan: ModelServicePlan,
    props: ModelServiceProps,
    labels: Record<string, string>,
    warmupBodies: Record<string, string>,
  ): SharedPodParts {
    let configMap: kplus.ConfigMap | undefined;
    const hash = createHash('sha256');
    if (props.config) {
      configMap = new kplus.ConfigMap(this, 'config', { metadata: { name: `${plan.name}-config`, labels }, data: { ...props.config.data } });
      hash.update(JSON.stringify(props.config.data));
    }
    let serverConfigMap: kplus.ConfigMap | undefined;
    if (plan.server.configFiles) {
      serverConfigMap = new kplus.ConfigMap(this, 'server-config', { metadata: { name: `${plan.name}-server-config`, labels }, data: { ...plan.server.configFiles } });
      hash.update(JSON.stringify(plan.server.configFiles));
    }
    const hasWarmupBodies = Object.keys(warmupBodies).length > 0;
    const warmupConfigMap = hasWarmupBodies ? new kplus.ConfigMap(this, 'warmup', { metadata: { name: `${plan.name}-warmup`, labels }, data: warmupBodies }) : undefined;
    const { env, envFrom } = userEnv(this, props);
    return {
      serviceAccount: this.serviceAccount,
      configMap,
      configMountPath: props.config ? (props.config.mountPath ?? (props.config.asEnv ? undefined : '/etc/model-config')) : undefined,
      configAsEnv: props.config?.asEnv ?? false,
      serverConfigMap,
      configHash: configMap || serverConfigMap ? hash.digest('hex').slice(0, 16) : undefined,
      labels,
      env,
      envFrom,
      warmupConfigMap,
    };
  }

  /**
   * Per track, in the rollout's order: its Deployment, the Argo Rollout that runs its pods when the
   * rollout is progressive, what scales it (an HPA, or a KEDA ScaledObject), its
   * PodDisruptionBudget, and its recommendation-only VPA.
   */
  private createTracks(
    plan: ModelServicePlan,
    props: ModelServiceProps,
    labels: Record<string, string>,
    shared: SharedPodParts,
    chart: ServingChart,
  ): TrackObjects {
    const made: TrackObjects = { deployments: [], autoscalers: [], scaledObjects: [], verticalPodAutoscalers: [] };
    for (const track of plan.tracks) {
      const deployment = createTrackDeployment(this, plan, track, shared);
      made.deployments.push(deployment);
      // Progressive: the Rollout runs the pods from the Deployment's template, and is what scales.
      const progressive = plan.rollout.strategy.kind === 'progressive'
        ? this.createProgressiveDelivery(plan, track, deployment, labels, plan.rollout.strategy.options, props.autoscaling?.prometheusUrl)
        : undefined;
      made.progressive = progressive;
      if (plan.scaling.kind === 'hpa' && !plan.stopped) {
        made.autoscalers.push(createHorizontalPodAutoscaler(this, plan, track, deployment, labels, progressive));
      } else if (plan.scaling.kind === 'keda') {
        made.scaledObjects.push(createScaledObject(this, plan, track, labels, progressive?.scaleTargetRef));
      }
      if (!plan.stopped) createDisruptionBudget(this, plan, track, labels);
      if (props.resourceRecommendations) {
        const defaults = chart.preset.serving.containerDefaults;
        made.verticalPodAutoscalers.push(createResourceRecommendations(this, track, labels, defaults, progressive?.scaleTargetRef));
      }
    }
    return made;
  }

  /** The Istio routing, request security and rate limit, wired to the pods' ports and to how Prometheus scrapes them. */
  private createTraffic(plan: ModelServicePlan, props: ModelServiceProps, labels: Record<string, string>, chart: ServingChart): ModelTraffic {
    return new ModelTraffic(this, 'traffic', {
      serviceName: plan.name,
      namespace: plan.namespace,
      port: HTTP_SERVICE_PORT,
      grpcPort: plan.server.grpcPort,
      metricsPort: plan.server.metricsPort,
      tracks: plan.tracks.map(({ name, version, weight }) => ({ name, version, weight })),
      rollout: plan.rollout,
      loadBalancer: props.loadBalancer,
      stopped: plan.stopped,
      labels,
      requestTimeoutSeconds: props.requestTimeoutSeconds,
      retries: props.retries,
      circuitBreaker: { ...connectionLimitDefaults(replicaShape(plan)), ...props.circuitBreaker },
      gateway: props.gateway,
      auth: props.auth,
      rateLimit: props.rateLimit,
      faults: props.faults,
      podSelector: this.selector,
      // The sidecar sees the container ports; the metrics rule follows how ModelMonitoring scrapes.
      workload: {
        httpPort: plan.server.httpPort,
        grpcPort: plan.server.grpcPort,
        metrics: {
          port: plan.server.metricsPort,
          path: plan.server.metricsPath,
          prometheusNamespace: chart.prometheus.namespace,
          prometheusServiceAccount: chart.prometheus.serviceAccount,
          scrapeOverMtls: props.monitoring?.scrapeOverIstioMtls ?? true,
          alsoReadBy: plan.inferencePool ? [`${plan.name}-epp`] : undefined,
        },
      },
    });
  }

  private createMonitoring(plan: ModelServicePlan, props: ModelServiceProps, labels: Record<string, string>): ModelMonitoring {
    const m = props.monitoring ?? {};
    return new ModelMonitoring(this, 'monitoring', {
      serviceName: plan.name,
      namespace: plan.namespace,
      selectorLabels: this.selector,
      metricsPortName: SERVICE_PORT_NAMES.metrics,
      metricsPath: plan.server.metricsPath,
      deploymentNames: plan.tracks.map((t) => t.deploymentName),
      modelId: plan.modelId,
      modelMissingStatusCodes: plan.server.modelMissingStatusCodes,
      thresholds: m.alerts,
      scrapeIntervalSeconds: m.scrapeIntervalSeconds,
      scrapeOverIstioMtls: m.scrapeOverIstioMtls,
      scrapeClass: m.scrapeClass,
      labels: { ...m.labels, ...labels },
    });
  }

  private createProgressiveDelivery(
    plan: ModelServicePlan,
    track: PlannedTrack,
    deployment: kplus.Deployment,
    labels: Record<string, string>,
    options: ProgressiveOptions,
    autoscalingPrometheusUrl?: string,
  ): ProgressiveDelivery {
    return new ProgressiveDelivery(this, 'progressive', {
      name: plan.name,
      namespace: plan.namespace,
      serviceName: plan.name,
      deployment,
      selector: trackSelector(plan.name, track.name),
      replicas: plan.stopped ? 0 : plan.scaling.kind === 'fixed' ? track.replicas : undefined,
      minReplicas: plan.scaling.kind === 'fixed' ? plan.scaling.replicas : plan.scaling.minReplicas,
      minCanaryReplicas: plan.environment === 'development' ? 1 : MIN_SERVING_PODS,
      // ModelTraffic names both after the service.
      virtualServiceName: plan.name,
      destinationRuleName: plan.name,
      routes: progressiveRouteNames(plan.server.grpcPort),
      options,
      prometheusUrl: autoscalingPrometheusUrl ?? DEFAULT_PROMETHEUS_URL,
      modelMissingStatusCodes: plan.server.modelMissingStatusCodes,
      vllmMetrics: plan.vllm?.metrics,
      progressDeadlineSeconds: Math.min(86_400, plan.progressDeadlineSeconds),
      labels,
    });
  }

  private createInferenceRouting(plan: ModelServicePlan, labels: Record<string, string>, chart: ServingChart): InferenceRouting {
    // Blue-green: the active colour only; the idle one stays reachable by header on the mesh route.
    const s = plan.rollout.strategy;
    const poolSelector: Record<string, string> = s.kind === 'blue-green' ? { [SERVICE_LABEL]: plan.name, [TRACK_LABEL]: s.options.active ?? 'blue' } : { [SERVICE_LABEL]: plan.name };
    return new InferenceRouting(this, 'inference', {
      name: plan.name,
      namespace: plan.namespace,
      poolSelector,
      targetPort: plan.server.httpPort,
      labels,
      ingressGateway: chart.ingressGateway,
      prometheus: chart.prometheus,
      requestTimeoutSeconds: plan.requestTimeoutSeconds,
      options: plan.inferencePool!,
      development: plan.environment === 'development',
      priorityClassName: plan.priorityClassName,
    });
  }

  private createService(plan: ModelServicePlan, labels: Record<string, string>): kplus.Service {
    const server = plan.server;
    const ports: kplus.ServicePort[] = [{ name: SERVICE_PORT_NAMES.http, port: HTTP_SERVICE_PORT, targetPort: server.httpPort }];
    const appProtocols = ['http'];
    if (server.grpcPort !== undefined) {
      ports.push({ name: SERVICE_PORT_NAMES.grpc, port: server.grpcPort, targetPort: server.grpcPort });
      appProtocols.push('grpc');
    }
    ports.push({ name: SERVICE_PORT_NAMES.metrics, port: server.metricsPort, targetPort: server.metricsPort });
    appProtocols.push('http');
    const service = new kplus.Service(this, 'service', { metadata: { name: plan.name, labels }, ports });
    // Every track: the mesh splits traffic between them by subset.
    service.selectLabel(SERVICE_LABEL, plan.name);
    appProtocols.forEach((p, i) => ApiObject.of(service).addJsonPatch(JsonPatch.add(`/spec/ports/${i}/appProtocol`, p)));
    return service;
  }
}

function replicaShape(plan: ModelServicePlan): ReplicaShape {
  const maxReplicas = plan.scaling.kind === 'fixed' ? plan.scaling.replicas : plan.scaling.maxReplicas;
  return { cpu: plan.cpu, gpus: plan.gpu?.count, sharedGpu: plan.gpu?.share !== undefined, maxReplicas };
}

function describeFaults(f: FaultInjectionOptions): string {
  return [f.delay ? `a ${f.delay.fixedDelayMs} ms delay into ${f.delay.percent} %` : '', f.abort ? `HTTP ${f.abort.httpStatus ?? 503} into ${f.abort.percent} %` : ''].filter(Boolean).join(' and ') + ' of';
}

/** What createTracks makes, in the rollout's order of tracks. */
interface TrackObjects {
  readonly deployments: kplus.Deployment[];
  readonly autoscalers: kplus.HorizontalPodAutoscaler[];
  readonly scaledObjects: ApiObject[];
  readonly verticalPodAutoscalers: ApiObject[];
  progressive?: ProgressiveDelivery;
}

/**
 * The plan, and the names the service will give its objects claimed in its chart, before the
 * service joins the tree: a bad prop or a clash throws and leaves nothing behind.
 */
function planBeforeJoining(
  scope: Construct,
  id: string,
  props: ModelServiceProps,
): { chart: ServingChart; plan: ModelServicePlan; warmupBodies: Record<string, string> } {
  const chart = ServingChart.of(scope);
  const plan = planModelService(props, {
    path: scope.node.path ? `${scope.node.path}/${id}` : id,
    id,
    namespace: chart.namespaceName,
    environment: chart.environment,
    preset: chart.preset,
    nodePools: chart.nodePools,
    modelStoreUri: chart.modelStoreUri,
    capacity: chart.capacity,
    team: chart.team,
    priorityClasses: chart.priorityClasses,
  });
  // auth keeps the metrics port open to Prometheus' namespace, which the chart's options name.
  if (props.auth) new PropsValidator(chart.node.path).matches('namespaceOptions.prometheus.namespace', chart.prometheus.namespace, DNS_LABEL, DNS_LABEL_RULE);
  const warmupBodies = plan.warmup ? warmupRequestBodies(plan.warmup) : {};
  const configMaps = [
    ...(props.config ? [`${plan.name}-config`] : []),
    ...(plan.server.configFiles ? [`${plan.name}-server-config`] : []),
    ...(Object.keys(warmupBodies).length > 0 ? [`${plan.name}-warmup`] : []),
    `${plan.name}-log-alerts`,
  ];
  const gateway = props.gateway ? (props.gateway.name ?? plan.name) : undefined;
  const externalHosts = props.externalServices?.map((s) => s.host);
  claimObjectNames(chart, plan, { configMaps, gateway, externalHosts, verticalPodAutoscalers: props.resourceRecommendations });
  return { chart, plan, warmupBodies };
}
