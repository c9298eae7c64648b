import { ModelServer, ModelService, Rollout } from '../../lib/k8s';
import { schemaFailures } from '../support/schema';
import { chart, CPU_SERVICE, GPU_SERVICE, synth } from '../support/serving';

describe('ModelService output is valid against the Kubernetes 1.36 and CRD schemas', () => {
  test('a representative set of services', () => {
    const c = chart();
    new ModelService(c, 'triton-canary', { ...GPU_SERVICE, rollout: Rollout.canary({ newVersion: '2.1.0', weight: 10 }), autoscaling: { maxReplicas: 6, targetCpuUtilization: 60, targetMemoryUtilization: 80 } });
    new ModelService(c, 'torchserve-bg', { ...GPU_SERVICE, server: ModelServer.torchServe(), rollout: Rollout.blueGreen({ greenVersion: '2.1.0', active: 'green' }), replicas: 2 });
    new ModelService(c, 'tfs-ab', {
      ...CPU_SERVICE,
      server: ModelServer.tensorflowServing({ modelName: 'resnet' }),
      rollout: Rollout.abTest({ variantVersion: '1.1.0', match: { cookie: { name: 'variant', value: 'b' } } }),
      loadBalancer: { stickySessions: true },
    });
    new ModelService(c, 'vllm-zero', {
      ...GPU_SERVICE,
      resources: { cpu: 8, memoryGiB: 64, gpu: { count: 4, model: 'A100' }, storageGiB: 150, networkBandwidthMbps: 25000 },
      server: ModelServer.vllm(),
      autoscaling: { maxReplicas: 2, queueLength: 4, targetGpuUtilization: 80, scaleToZero: true },
      rollout: Rollout.shadow({ newVersion: '2.1.0', mirrorPercent: 20 }),
    });
    new ModelService(c, 'custom-spot', {
      ...CPU_SERVICE,
      server: ModelServer.custom({ port: 9000, healthPath: '/ok', grpcPort: 9001, metricsPort: 9090, args: ['--model', '$(MODEL_URI)'] }),
      placement: { spot: 'preferred' },
      autoscaling: { requestsPerSecond: 30, targetCpuUtilization: 70 },
      env: { LOG_LEVEL: 'debug' },
      config: { data: { 'settings.json': '{}' }, asEnv: true },
      secrets: { env: { TOKEN: { secretName: 'api', key: 'token' } }, envFrom: ['more'] },
      gateway: { hosts: ['custom.models.example.com'], tlsSecretName: 'custom-tls' },
      monitoring: { alerts: { latencyP99Ms: 900 }, labels: { release: 'prom' } },
    });
    new ModelService(c, 'stopped', { ...CPU_SERVICE, stopped: true, autoscaling: { maxReplicas: 3, requestsPerSecond: 5 }, rollout: Rollout.recreate() });
    new ModelService(c, 'big-memory', { ...CPU_SERVICE, resources: { cpu: 8, memoryGiB: 100 } });

    const objects = synth(c);
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set([
        'Namespace', 'ResourceQuota', 'LimitRange', 'PeerAuthentication', 'PodMonitor', 'NetworkPolicy', 'ServiceAccount', 'ConfigMap', 'Deployment',
        'HorizontalPodAutoscaler', 'ScaledObject', 'PodDisruptionBudget', 'Service', 'DestinationRule', 'VirtualService', 'Gateway',
        'ServiceMonitor', 'PrometheusRule',
      ]),
    );
    const result = schemaFailures(objects);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(objects.length);
  });
});
