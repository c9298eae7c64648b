import { MESH_SIDECAR, ModelServer, ModelService, ModelServiceProps, Rollout } from '../../lib/k8s';
import { chart, CPU_SERVICE, GPU_SERVICE, K8sObject, ofKind, ofService, one, synth } from '../support/serving';

function build(props: ModelServiceProps, name = 'svc'): { service: ModelService; objects: K8sObject[] } {
  const c = chart();
  const service = new ModelService(c, name, props);
  return { service, objects: synth(c) };
}

const subsetOf = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('ModelService: what it emits', () => {
  test('objects of a canary service, with the construct ids as a stable contract', () => {
    const { objects } = build({ ...GPU_SERVICE, rollout: Rollout.canary({ newVersion: '2.1.0', weight: 10 }), autoscaling: { maxReplicas: 6 } }, 'bert');
    expect(ofService(objects, 'bert').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/bert',
      'Deployment/bert-stable',
      'HorizontalPodAutoscaler/bert-stable',
      'PodDisruptionBudget/bert-stable',
      'Deployment/bert-canary',
      'HorizontalPodAutoscaler/bert-canary',
      'PodDisruptionBudget/bert-canary',
      'Service/bert',
      'NetworkPolicy/bert',
      'DestinationRule/bert',
      'VirtualService/bert',
      'ServiceMonitor/bert',
      'PrometheusRule/bert',
      'ConfigMap/bert-log-alerts',
    ]);
  });

  test('every object of the service carries the prune label, and only its objects do', () => {
    const c = chart();
    new ModelService(c, 'a', { ...CPU_SERVICE, config: { data: { 'x.json': '{}' } }, rollout: Rollout.shadow({ newVersion: '1.1.0' }) });
    new ModelService(c, 'b', { ...GPU_SERVICE, autoscaling: { requestsPerSecond: 20 } });
    const objects = synth(c);
    const namespaceObjects = objects.filter((o) => o.metadata.labels?.['modelserve.io/service'] === undefined);
    expect(namespaceObjects.every((o) => ['Namespace', 'ResourceQuota', 'LimitRange', 'PeerAuthentication', 'NetworkPolicy', 'PodMonitor'].includes(o.kind))).toBe(true);
    expect(namespaceObjects.map((o) => o.metadata.name)).not.toContain('a');
    expect(ofService(objects, 'a')).toHaveLength(13);
    expect(ofService(objects, 'b').map((o) => o.kind)).toContain('ScaledObject');
    for (const o of [...ofService(objects, 'a'), ...ofService(objects, 'b')]) {
      expect(o.metadata.namespace).toBe('models-production');
      expect(o.metadata.labels!['app.kubernetes.io/part-of']).toBe('modelserve');
      expect(o.metadata.labels!['app.kubernetes.io/managed-by']).toBe('cdk8s');
    }
  });

  test('single-track strategies name the Deployment after the service; the others add the track', () => {
    expect(ofKind(build(CPU_SERVICE).objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['svc']);
    expect(ofKind(build({ ...CPU_SERVICE, rollout: Rollout.recreate() }).objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['svc']);
    expect(ofKind(build({ ...CPU_SERVICE, rollout: Rollout.blueGreen({ greenVersion: '1.1.0' }) }).objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['svc-blue', 'svc-green']);
    expect(ofKind(build({ ...CPU_SERVICE, rollout: Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-v', value: 'b' } } }) }).objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['svc-a', 'svc-b']);
  });

  test('pod labels: recommended labels, model id and version, track, Istio app/version', () => {
    const { objects } = build({ ...CPU_SERVICE, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 5 }) });
    const labels = one(objects, 'Deployment', 'svc-canary').spec.template.metadata.labels;
    expect(labels).toEqual({
      'modelserve.io/environment': 'production',
      'app.kubernetes.io/name': 'svc',
      'app.kubernetes.io/instance': 'svc',
      'app.kubernetes.io/version': '1.1.0',
      'app.kubernetes.io/component': 'model-server',
      'app.kubernetes.io/part-of': 'modelserve',
      'app.kubernetes.io/managed-by': 'cdk8s',
      'modelserve.io/service': 'svc',
      'modelserve.io/model-id': 'model_abc123',
      'modelserve.io/model-version': '1.1.0',
      'modelserve.io/track': 'canary',
      'modelserve.io/model-loader': 's3',
      app: 'svc',
      version: '1.1.0',
    });
    const env = one(objects, 'Deployment', 'svc-canary').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'MODEL_URI', value: 's3://models-bucket/ner/1.1.0/' });
  });

  test('selectors match the pods they are meant for, and only those', () => {
    const { objects } = build({ ...CPU_SERVICE, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 5 }) });
    const pods = Object.fromEntries(ofKind(objects, 'Deployment').map((d) => [d.metadata.labels!['modelserve.io/track'], d.spec.template.metadata.labels]));
    for (const d of ofKind(objects, 'Deployment')) {
      expect(subsetOf(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      const other = Object.entries(pods).find(([track]) => track !== d.metadata.labels!['modelserve.io/track'])![1];
      expect(subsetOf(d.spec.selector.matchLabels, other)).toBe(false);
    }
    for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
      expect(Object.values(pods).filter((p) => subsetOf(pdb.spec.selector.matchLabels, p))).toHaveLength(1);
    }
    const service = one(objects, 'Service', 'svc');
    expect(Object.values(pods).every((p) => subsetOf(service.spec.selector, p))).toBe(true);
    const policy = one(objects, 'NetworkPolicy', 'svc');
    expect(Object.values(pods).every((p) => subsetOf(policy.spec.podSelector.matchLabels, p))).toBe(true);
    for (const subset of one(objects, 'DestinationRule', 'svc').spec.subsets) {
      expect(subsetOf(subset.labels, pods[subset.name])).toBe(true);
    }
    const monitor = one(objects, 'ServiceMonitor', 'svc');
    expect(subsetOf(monitor.spec.selector.matchLabels, service.metadata.labels!)).toBe(true);
  });

  test('readonly attributes', () => {
    const { service } = build({ ...CPU_SERVICE, name: 'ner', rollout: Rollout.blueGreen({ greenVersion: '1.1.0' }) });
    expect(service.name).toBe('ner');
    expect(service.serviceName).toBe('ner');
    expect(service.namespace).toBe('models-production');
    expect(service.host).toBe('ner.models-production.svc.cluster.local');
    expect(service.deployments.map((d) => d.name)).toEqual(['ner-blue', 'ner-green']);
    expect(service.selector).toEqual({ 'modelserve.io/service': 'ner' });
    expect(service.labels['modelserve.io/service']).toBe('ner');
    expect(service.traffic.host).toBe(service.host);
  });

  test('Pod Security "restricted": non-root, RuntimeDefault seccomp, no capabilities, no escalation, read-only root', () => {
    const pod = one(build(GPU_SERVICE).objects, 'Deployment', 'svc').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 1000,
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBe(false);
    // The writable places a read-only root needs.
    const mounts = Object.fromEntries(pod.containers[0].volumeMounts.map((m: { mountPath: string; name: string }) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ '/tmp': 'tmp', '/models': 'model-cache', '/dev/shm': 'dshm' });
  });

  test('resources: memory and GPU requests equal limits; storage sizes the cache and ephemeral storage', () => {
    const pod = one(build({ ...GPU_SERVICE, resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'T4' }, storageGiB: 40, networkBandwidthMbps: 5000 } }).objects, 'Deployment', 'svc').spec.template;
    const resources = pod.spec.containers[0].resources;
    expect(resources.requests).toEqual({ cpu: '2', memory: '8192Mi', 'ephemeral-storage': '42Gi' });
    expect(resources.limits).toEqual({ cpu: '2', memory: '8192Mi', 'ephemeral-storage': '42Gi', 'nvidia.com/gpu': 1 });
    expect(pod.spec.volumes.find((v: { name: string }) => v.name === 'model-cache').emptyDir).toEqual({ sizeLimit: '40960Mi' });
    expect(pod.metadata.annotations).toMatchObject({ 'kubernetes.io/ingress-bandwidth': '5000M', 'kubernetes.io/egress-bandwidth': '5000M' });
  });

  test('probes: startup covers the model load (10 min on GPU, 5 on CPU), readiness and liveness after it', () => {
    const gpu = one(build(GPU_SERVICE).objects, 'Deployment', 'svc').spec.template.spec.containers[0];
    expect(gpu.startupProbe.periodSeconds * gpu.startupProbe.failureThreshold).toBe(600);
    expect(gpu.startupProbe.httpGet).toEqual({ path: '/v2/models/bert_ner/ready', port: 8000, scheme: 'HTTP' });
    expect(gpu.readinessProbe.httpGet.path).toBe('/v2/models/bert_ner/ready');
    expect(gpu.livenessProbe.httpGet.path).toBe('/v2/health/live');
    const cpu = one(build({ ...CPU_SERVICE, server: ModelServer.custom({ port: 8080, healthPath: '/ready', livenessPath: '/alive' }) }).objects, 'Deployment', 'svc').spec.template.spec.containers[0];
    expect(cpu.startupProbe.periodSeconds * cpu.startupProbe.failureThreshold).toBe(300);
    expect([cpu.readinessProbe.httpGet.path, cpu.livenessProbe.httpGet.path]).toEqual(['/ready', '/alive']);
    const slow = one(build({ ...GPU_SERVICE, startupTimeoutSeconds: 1800 }).objects, 'Deployment', 'svc');
    expect(slow.spec.template.spec.containers[0].startupProbe.failureThreshold).toBe(180);
    expect(slow.spec.progressDeadlineSeconds).toBeGreaterThan(1800);
  });

  test('the load balancer health check drives the readiness probe', () => {
    const c = one(build({ ...CPU_SERVICE, loadBalancer: { healthCheck: { path: '/healthz', intervalSeconds: 20 } } }).objects, 'Deployment', 'svc').spec.template.spec.containers[0];
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 8000 }, periodSeconds: 20 });
  });

  test.each([
    // Readiness means "model loaded": Triton's model-ready endpoint for the service's model id.
    ['triton', ModelServer.triton(), { http: 8000, grpc: 8001, metrics: 8002, ready: '/v2/models/model_abc123/ready', startup: ['/v2/models/model_abc123/ready', 8000], live: '/v2/health/live', metricsPath: '/metrics' }],
    // /ping is Healthy with no model registered: the startup probe asks the management API for the model.
    ['torchserve', ModelServer.torchServe(), { http: 8080, grpc: 7070, metrics: 8082, ready: '/ping', startup: ['/models/model', 8081], live: '/ping', metricsPath: '/metrics' }],
    ['tensorflow-serving', ModelServer.tensorflowServing({ modelName: 'resnet' }), { http: 8501, grpc: 8500, metrics: 8501, ready: '/v1/models/resnet', startup: ['/v1/models/resnet', 8501], live: '/v1/models/resnet', metricsPath: '/monitoring/prometheus/metrics' }],
    ['vllm', ModelServer.vllm(), { http: 8000, grpc: undefined, metrics: 8000, ready: '/health', startup: ['/health', 8000], live: '/health', metricsPath: '/metrics' }],
    ['custom', ModelServer.custom({ port: 9000, healthPath: '/ok', metricsPort: 9090, metricsPath: '/prom' }), { http: 9000, grpc: undefined, metrics: 9090, ready: '/ok', startup: ['/ok', 9000], live: '/ok', metricsPath: '/prom' }],
  ])('%s preset: ports, probe paths, Service ports and scrape path', (_name, server, want) => {
    const { objects } = build({ ...CPU_SERVICE, server });
    const container = one(objects, 'Deployment', 'svc').spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet).toMatchObject({ path: want.ready, port: want.http });
    expect(container.startupProbe.httpGet).toMatchObject({ path: want.startup[0], port: want.startup[1] });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: want.live, port: want.http });
    const ports = one(objects, 'Service', 'svc').spec.ports;
    expect(ports).toEqual([
      { name: 'http-inference', port: 80, targetPort: want.http, appProtocol: 'http' },
      ...(want.grpc ? [{ name: 'grpc-inference', port: want.grpc, targetPort: want.grpc, appProtocol: 'grpc' }] : []),
      { name: 'http-metrics', port: want.metrics, targetPort: want.metrics, appProtocol: 'http' },
    ]);
    expect(one(objects, 'ServiceMonitor', 'svc').spec.endpoints[0]).toMatchObject({ port: 'http-metrics', path: want.metricsPath });
    const policyPorts = one(objects, 'NetworkPolicy', 'svc').spec.ingress.map((r: { ports: { port: number }[] }) => r.ports.map((p) => p.port));
    expect(policyPorts).toEqual([[want.http, ...(want.grpc ? [want.grpc] : [])], [want.http, ...(want.grpc ? [want.grpc] : [])], [want.metrics]]);
  });

  test('TF Serving gets its monitoring config from a ConfigMap mounted read-only', () => {
    const { objects } = build({ ...CPU_SERVICE, server: ModelServer.tensorflowServing({ modelName: 'resnet' }) });
    expect(one(objects, 'ConfigMap', 'svc-server-config').data['monitoring.config']).toContain('enable: true');
    const container = one(objects, 'Deployment', 'svc').spec.template.spec.containers[0];
    expect(container.args).toContain('--monitoring_config_file=/etc/model-server/monitoring.config');
    expect(container.volumeMounts).toContainEqual({ mountPath: '/etc/model-server', name: 'server-config', readOnly: true });
  });

  test('network policy: gateway and same-namespace callers to serving ports, Prometheus to metrics', () => {
    const rules = one(build(GPU_SERVICE).objects, 'NetworkPolicy', 'svc').spec.ingress;
    expect(rules[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-ingress' } }, podSelector: { matchLabels: { istio: 'ingressgateway' } } }]);
    expect(rules[1].from).toEqual([{ podSelector: {} }]);
    expect(rules[2].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }]);
  });

  test('PodDisruptionBudget never blocks a drain: one pod at a time at 2 and at 3 replicas', () => {
    for (const replicas of [2, 3]) {
      const pdb = one(build({ ...CPU_SERVICE, replicas }).objects, 'PodDisruptionBudget', 'svc');
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.minAvailable).toBeUndefined();
      expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    }
  });

  test('default rollout: rolling update with maxSurge 25 % and maxUnavailable 0; recreate when asked', () => {
    expect(one(build(CPU_SERVICE).objects, 'Deployment', 'svc').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(one(build({ ...CPU_SERVICE, rollout: Rollout.rollingUpdate({ maxSurge: 1, maxUnavailable: '10%' }) }).objects, 'Deployment', 'svc').spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: '10%' });
    expect(one(build({ ...CPU_SERVICE, rollout: Rollout.recreate() }).objects, 'Deployment', 'svc').spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('the sidecar is native, so the loader (an init container) runs with the mesh\'s network', () => {
    const template = one(build(CPU_SERVICE).objects, 'Deployment', 'svc').spec.template;
    expect(template.metadata.annotations['sidecar.istio.io/nativeSidecar']).toBe('true');
    expect(template.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['model-loader']);
  });

  test('the mesh sidecar gets the requests placement counts; the pod is Burstable (the sidecar bursts), the model server Guaranteed-shaped', () => {
    const template = one(build(GPU_SERVICE).objects, 'Deployment', 'svc').spec.template;
    expect(template.metadata.annotations).toMatchObject({
      'sidecar.istio.io/proxyCPU': `${MESH_SIDECAR.cpu * 1000}m`,
      'sidecar.istio.io/proxyMemory': `${MESH_SIDECAR.memoryGiB * 1024}Mi`,
      'sidecar.istio.io/proxyCPULimit': '2000m',
      'sidecar.istio.io/proxyMemoryLimit': '1024Mi',
    });
    // Kubernetes' QoS rule: Guaranteed only when every container, sidecar included, has requests
    // equal to limits. Ours do; the sidecar's limits are above its requests, so the pod is Burstable.
    const [server] = template.spec.containers;
    const [loader] = template.spec.initContainers;
    for (const c of [server, loader]) expect({ name: c.name, cpu: c.resources.requests.cpu, memory: c.resources.requests.memory }).toEqual({ name: c.name, cpu: c.resources.limits.cpu, memory: c.resources.limits.memory });
    const sidecar = { requests: template.metadata.annotations['sidecar.istio.io/proxyCPU'], limits: template.metadata.annotations['sidecar.istio.io/proxyCPULimit'] };
    expect(sidecar.requests).not.toBe(sidecar.limits);
  });

  test('connection pools are sized from what the replicas can serve, not 1024 per caller (backpressure for GPU servers)', () => {
    const pool = (props: ModelServiceProps) => one(build(props).objects, 'DestinationRule', 'svc').spec.trafficPolicy.connectionPool;
    // One T4 per pod, at most 6 pods: 32 × 6 requests in flight, as many waiting, then 503 at once.
    expect(pool({ ...GPU_SERVICE, autoscaling: { maxReplicas: 6 } })).toEqual({ tcp: { maxConnections: 192, connectTimeout: '5s' }, http: { http1MaxPendingRequests: 192, http2MaxRequests: 192 } });
    // 1 CPU core, 2 fixed replicas: 2 × 2.
    expect(pool({ ...CPU_SERVICE, replicas: 2 }).http).toEqual({ http1MaxPendingRequests: 4, http2MaxRequests: 4 });
    expect(pool({ ...CPU_SERVICE, circuitBreaker: { maxRequests: 50 } }).http.http2MaxRequests).toBe(50);
  });

  test('the alerts of a preset count its "no model" status as a failure', () => {
    const rule = one(build({ ...CPU_SERVICE, server: ModelServer.torchServe(), image: undefined }).objects, 'PrometheusRule', 'svc');
    const errorRate = rule.spec.groups[0].rules.find((r: { alert: string }) => r.alert === 'ModelServeErrorRateHigh');
    expect(errorRate.expr).toContain('response_code=~"5..|404"');
  });

  test('graceful termination: preStop sleep for the mesh to drain, within the grace period', () => {
    const pod = one(build({ ...CPU_SERVICE, drainSeconds: 20 }).objects, 'Deployment', 'svc').spec.template.spec;
    expect(pod.containers[0].lifecycle.preStop).toEqual({ exec: { command: ['sleep', '20'] } });
    expect(pod.terminationGracePeriodSeconds).toBe(60);
  });

  test('service account: named after the service or as asked, without an API token unless asked', () => {
    const { objects } = build({ ...CPU_SERVICE, serviceAccount: { name: 'ner-reader' } });
    expect(one(objects, 'ServiceAccount', 'ner-reader').automountServiceAccountToken).toBe(false);
    expect(one(objects, 'Deployment', 'svc').spec.template.spec.serviceAccountName).toBe('ner-reader');
    const withToken = build({ ...CPU_SERVICE, serviceAccount: { automountToken: true } }).objects;
    expect(one(withToken, 'Deployment', 'svc').spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('env, config and secrets', () => {
    const props: ModelServiceProps = {
      ...CPU_SERVICE,
      env: { REDIS_HOST: 'redis.internal', LOG_LEVEL: 'info' },
      config: { data: { 'pipeline.yaml': 'steps: []\n', MODE: 'batch' }, asEnv: true, mountPath: '/etc/pipeline' },
      secrets: { env: { REDIS_AUTH_TOKEN: { secretName: 'redis-auth', key: 'token' } }, envFrom: ['api-keys'] },
    };
    const { objects } = build(props);
    const pod = one(objects, 'Deployment', 'svc').spec.template;
    const container = pod.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'REDIS_HOST', value: 'redis.internal' });
    expect(container.env).toContainEqual({ name: 'REDIS_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'token', optional: false } } });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'svc-config' } }, { secretRef: { name: 'api-keys' } }]);
    expect(container.volumeMounts).toContainEqual({ mountPath: '/etc/pipeline', name: 'config', readOnly: true });
    expect(one(objects, 'ConfigMap', 'svc-config').data).toEqual({ 'pipeline.yaml': 'steps: []\n', MODE: 'batch' });
    // A config change rolls the pods, which read the files at start.
    const changed = one(build({ ...props, config: { ...props.config!, data: { MODE: 'online' } } }).objects, 'Deployment', 'svc').spec.template;
    expect(changed.metadata.annotations['modelserve.io/config-hash']).not.toBe(pod.metadata.annotations['modelserve.io/config-hash']);
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  test('traffic: the VirtualService splits by the canary weight to the track subsets', () => {
    const { objects } = build({ ...CPU_SERVICE, rollout: Rollout.canary({ newVersion: '1.1.0', weight: 10 }), requestTimeoutSeconds: 30, retries: { attempts: 1 } });
    const http = one(objects, 'VirtualService', 'svc').spec.http;
    const split = (route: any) => route.route.map((r: { destination: { subset: string; port: { number: number } }; weight: number }) => [r.destination.subset, r.destination.port.number, r.weight]);
    // Triton's gRPC API keeps its own port and the same split; its metrics port has a route of its own.
    expect(http.map((r: any) => r.name)).toEqual(['primary-grpc', 'primary', 'metrics']);
    expect(split(http[0])).toEqual([['stable', 8001, 90], ['canary', 8001, 10]]);
    const route = http[1];
    expect(split(route)).toEqual([
      ['stable', 80, 90],
      ['canary', 80, 10],
    ]);
    expect(route.timeout).toBe('30s');
    expect(route.retries.attempts).toBe(1);
  });

  test('monitoring: alert thresholds and Prometheus selection labels reach the rules', () => {
    const { objects } = build({ ...CPU_SERVICE, monitoring: { alerts: { latencyP99Ms: 800 }, labels: { release: 'kube-prometheus-stack' } } });
    const rule = one(objects, 'PrometheusRule', 'svc');
    expect(rule.metadata.labels!.release).toBe('kube-prometheus-stack');
    expect(JSON.stringify(rule.spec)).toContain('> 800');
  });
});
