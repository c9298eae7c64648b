import { Chart, Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { developmentStacks } from '../examples/platform/development';
import { productionStacks } from '../examples/platform/production';
import { stagingStacks } from '../examples/platform/staging';
import { servingApp } from '../examples/serving/main';
import { Json } from './support/aws-stack';
import { K8sObject } from './support/serving';

/**
 * The two sides meet in the cluster: the GitOps tool applies the serving YAML to a cluster whose
 * add-ons stack installed the charts. An object whose kind no installed chart defines is refused
 * by the API server ("no matches for kind"), and the whole sync stops at it. So every custom kind
 * an example chart of an environment writes must come from a chart that environment's add-ons
 * install.
 */
const CHART_DEFINING: Readonly<Record<string, string>> = {
  'argoproj.io/Rollout': 'argo-rollouts',
  'argoproj.io/AnalysisTemplate': 'argo-rollouts',
  'argoproj.io/WorkflowTemplate': 'argo-workflows',
  'autoscaling.k8s.io/VerticalPodAutoscaler': 'vpa',
  'karpenter.k8s.aws/EC2NodeClass': 'karpenter-crd',
  'karpenter.sh/NodePool': 'karpenter-crd',
  'keda.sh/ScaledObject': 'keda',
  'monitoring.coreos.com/PodMonitor': 'kube-prometheus-stack',
  'monitoring.coreos.com/PrometheusRule': 'kube-prometheus-stack',
  'monitoring.coreos.com/ServiceMonitor': 'kube-prometheus-stack',
  'networking.istio.io/DestinationRule': 'base',
  'networking.istio.io/EnvoyFilter': 'base',
  'networking.istio.io/ServiceEntry': 'base',
  'networking.istio.io/VirtualService': 'base',
  'security.istio.io/AuthorizationPolicy': 'base',
  'security.istio.io/PeerAuthentication': 'base',
  'security.istio.io/RequestAuthentication': 'base',
};

/** Installed by the user, as the README's LLM section says: no Helm chart of theirs is pinned here. */
const USER_INSTALLED_GROUPS = ['gateway.networking.k8s.io', 'inference.networking.k8s.io'];

/** Groups of Kubernetes itself. */
const BUILT_IN_GROUPS = ['', 'apps', 'autoscaling', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'scheduling.k8s.io'];

function groupOf(object: K8sObject): string {
  const apiVersion = object.apiVersion as string;
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function environmentOf(objects: readonly K8sObject[], chart: string): string {
  const environments = new Set(objects.map((o) => o.metadata?.labels?.['modelserve.io/environment']).filter((e) => e !== undefined));
  expect({ chart, environments: [...environments] }).toEqual({ chart, environments: [expect.any(String)] });
  return [...environments][0] as string;
}

function installedCharts(): Record<string, Set<string>> {
  const app = TfTesting.app();
  const stacks = { production: productionStacks(app), staging: stagingStacks(app), development: developmentStacks(app) };
  return Object.fromEntries(Object.entries(stacks).map(([environment, environmentStacks]) => {
    const charts = environmentStacks.flatMap((stack) => {
      const json = JSON.parse(TfTesting.synth(stack));
      return Object.values((json.resource?.helm_release ?? {}) as Record<string, Json>).map((release) => release.chart as string);
    });
    return [environment, new Set(charts)];
  }));
}

describe('the example serving charts against the example add-ons', () => {
  const installed = installedCharts();
  const app = servingApp(K8sTesting.app());
  const charts = app.node.children.filter((c): c is Chart => c instanceof Chart);

  test('every custom kind a chart writes comes from a chart its environment\'s add-ons install', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const chart of charts) {
      const objects = K8sTesting.synth(chart) as K8sObject[];
      const custom = objects.filter((o) => !BUILT_IN_GROUPS.includes(groupOf(o)) && !USER_INSTALLED_GROUPS.includes(groupOf(o)));
      if (custom.length === 0) continue;
      const environment = environmentOf(objects, chart.node.id);
      for (const object of custom) {
        const kind = `${groupOf(object)}/${object.kind}`;
        const definedBy = CHART_DEFINING[kind];
        if (definedBy === undefined) missing.push(`${chart.node.id}: ${kind} is not mapped to the chart that defines it (add it to CHART_DEFINING)`);
        else if (!installed[environment].has(definedBy)) missing.push(`${chart.node.id}: ${kind} ${object.metadata.name} needs ${definedBy}, which ${environment}'s add-ons do not install`);
        checked += 1;
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  test('every PriorityClass a pod names is one the example app defines, or a system class', () => {
    const objects = charts.flatMap((chart) => K8sTesting.synth(chart) as K8sObject[]);
    const defined = new Set(objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name as string));
    const named: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null) {
        for (const [key, v] of Object.entries(value)) {
          // A pod's own field, and Argo Workflows' for the pods of a workflow.
          if ((key === 'priorityClassName' || key === 'podPriorityClassName') && typeof v === 'string') named.push(v);
          else collect(v);
        }
      }
    };
    objects.forEach(collect);
    expect(named.length).toBeGreaterThan(20);
    expect([...new Set(named)].filter((name) => !defined.has(name) && !name.startsWith('system-'))).toEqual([]);
  });

  test('the environments are the ones the add-ons examples cover', () => {
    expect(Object.keys(installed).sort()).toEqual(['development', 'production', 'staging']);
  });
});
