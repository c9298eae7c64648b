import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { servingApp } from '../../examples/serving/main';
import { GpuShare, GpuSharing, NodePools } from '../../lib/catalog';
import { ModelServer, ModelService, Rollout, ServingChart } from '../../lib/k8s';
import { AlertRule } from '../../lib/k8s/monitoring/alert-rules';
import { K8sObject } from './serving';

/**
 * Every PromQL expression the library writes comes from here: the example app (the production
 * services and one per rollout strategy) plus the variants it lacks (a MIG GPU, queue-length
 * triggers on Triton and vLLM, a request-rate trigger over two tracks, TF Serving), synthesized
 * as a user would. Tests read the expressions from these objects, never from copies.
 */
export function monitoredObjects(): K8sObject[] {
  const app = servingApp(Testing.app());
  variants(app);
  return app.node.children.filter((c): c is Chart => c instanceof Chart).flatMap((c) => Testing.synth(c) as K8sObject[]);
}

function variants(scope: Construct): void {
  const chart = new ServingChart(scope, 'serving-variants', {
    environment: 'production',
    namespace: 'models-variants',
    nodePools: [
      NodePools.general(),
      NodePools.gpu({ gpu: 'T4' }),
      NodePools.gpu({ gpu: 'A100', instanceTypes: ['p4de.24xlarge'], sharing: GpuSharing.mig({ profile: '1g.10gb' }) }),
    ],
  });
  const model = (id: string) => ({ id, version: '2.0.0', uri: `s3://models-bucket/${id}/{version}/` });
  new ModelService(chart, 'detector', {
    model: model('detector'),
    image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
    resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'A100', share: GpuShare.mig('1g.10gb') } },
    autoscaling: { minReplicas: 2, maxReplicas: 8, targetGpuUtilization: 70 },
  });
  new ModelService(chart, 'ranker', {
    model: model('ranker'),
    image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
    resources: { cpu: 2, memoryGiB: 8, gpu: { count: 1, model: 'T4' } },
    autoscaling: { minReplicas: 2, maxReplicas: 8, requestsPerSecond: 30, queueLength: 5 },
    rollout: Rollout.canary({ newVersion: '2.1.0', weight: 20 }),
  });
  new ModelService(chart, 'chat', {
    model: model('chat'),
    image: 'vllm/vllm-openai:v0.6.3',
    server: ModelServer.vllm(),
    resources: { cpu: 3, memoryGiB: 12, gpu: { count: 1, model: 'T4' } },
    // vLLM 0.6: its KV-cache gauge is still vllm:gpu_cache_usage_perc.
    autoscaling: { minReplicas: 2, maxReplicas: 4, queueLength: 8, targetKvCacheUtilization: 75 },
  });
  // The spec's rollback thresholds: the defaults of Rollout.progressive().
  new ModelService(chart, 'embedder', {
    model: model('embedder'),
    image: 'pytorch/torchserve:0.12.0-cpu',
    server: ModelServer.torchServe(),
    resources: { cpu: 2, memoryGiB: 4 },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 70 },
    rollout: Rollout.progressive(),
  });
  new ModelService(chart, 'wide-deep', {
    model: model('wide-deep'),
    image: 'tensorflow/serving:2.17.0',
    server: ModelServer.tensorflowServing({ modelName: 'wide_deep' }),
    resources: { cpu: 2, memoryGiB: 4 },
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 70 },
    monitoring: { alerts: { latencyP50Ms: 40, latencyP99Ms: 300, errorRatePercent: 0.5, cpuPercent: 90, memoryPercent: 90, modelStalenessHours: 168 } },
    rollout: Rollout.progressive({ analysis: { maxErrorRatePercent: 2, maxLatencyP99Ms: 800, maxFailedHealthChecks: 1, minRequests: 50 } }),
  });
}

export interface Expression {
  /** Where it comes from, for messages: `<kind> <namespace>/<name> <rule or metric>`. */
  readonly source: string;
  readonly expr: string;
}

/** The PrometheusRule objects' rule groups, as the Prometheus Operator hands them to Prometheus. */
export function ruleGroups(objects: readonly K8sObject[]): { name: string; rules: AlertRule[] }[] {
  return objects.filter((o) => o.kind === 'PrometheusRule').flatMap((o) => o.spec.groups);
}

/** The PrometheusRule of one service. */
export function serviceRules(objects: readonly K8sObject[], namespace: string, service: string): AlertRule[] {
  const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.namespace === namespace && o.metadata.name === service);
  if (!rule) throw new Error(`no PrometheusRule ${namespace}/${service}`);
  return rule.spec.groups.flatMap((g: { rules: AlertRule[] }) => g.rules);
}

/** Every KEDA Prometheus trigger's query. */
export function kedaQueries(objects: readonly K8sObject[]): (Expression & { readonly namespace: string; readonly scaledObject: string; readonly trigger: string })[] {
  return objects
    .filter((o) => o.kind === 'ScaledObject')
    .flatMap((o) =>
      (o.spec.triggers as { type: string; name: string; metadata: { query: string } }[])
        .filter((t) => t.type === 'prometheus')
        .map((t) => ({ source: `ScaledObject ${o.metadata.namespace}/${o.metadata.name} ${t.name}`, expr: t.metadata.query, namespace: o.metadata.namespace!, scaledObject: o.metadata.name, trigger: t.name })),
    );
}

export interface AnalysisMetric {
  readonly name: string;
  readonly interval: string;
  readonly count?: number;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
  readonly consecutiveErrorLimit?: number;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly provider: { prometheus: { address: string; query: string } };
}

/** Every AnalysisTemplate with its metrics. */
export function analysisTemplates(objects: readonly K8sObject[]): { namespace: string; name: string; args: { name: string }[]; metrics: AnalysisMetric[] }[] {
  return objects
    .filter((o) => o.kind === 'AnalysisTemplate')
    .map((o) => ({ namespace: o.metadata.namespace!, name: o.metadata.name, args: o.spec.args ?? [], metrics: o.spec.metrics }));
}

/** The metric of that name among the templates' metrics; throws, naming `where`, when there is none. */
export function analysisMetric(templates: readonly { metrics: AnalysisMetric[] }[], name: string, where: string): AnalysisMetric {
  const found = templates.flatMap((t) => t.metrics).find((m) => m.name === name);
  if (!found) throw new Error(`no analysis metric ${name} for ${where}`);
  return found;
}

/** Argo Rollouts' argument substitution: `{{args.<name>}}` becomes the value (its templating of queries). */
export function withArgs(query: string, args: Readonly<Record<string, string>>): string {
  return query.replace(/\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}/g, (whole, name: string) => {
    if (!(name in args)) throw new Error(`no value for ${whole}`);
    return args[name];
  });
}
