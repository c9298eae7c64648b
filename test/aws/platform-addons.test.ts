import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { EnvironmentName, NodePools, NodePoolSpec, riskWarnings } from '../../lib/catalog';
import { ARGO_ROLLOUTS_CHART } from '../../lib/aws/addons/argo-rollouts';
import { ARGO_WORKFLOWS_CHART, ArgoServerAuth } from '../../lib/aws/addons/argo-workflows';
import { CLUSTER_AUTOSCALER_CHART } from '../../lib/aws/addons/cluster-autoscaler';
import { ClusterProviders } from '../../lib/aws/addons/cluster-providers';
import { GPU_OPERATOR_CHART } from '../../lib/aws/addons/gpu-operator';
import { HelmChartPin } from '../../lib/aws/addons/helm-chart-pin';
import { INGRESS_GATEWAY_LABELS, ISTIO_BASE_CHART, ISTIO_CNI_CHART, ISTIO_GATEWAY_CHART, ISTIO_INGRESS_NAMESPACE, ISTIOD_CHART } from '../../lib/aws/addons/istio';
import { KEDA_CHART } from '../../lib/aws/addons/keda';
import { LOAD_BALANCER_CONTROLLER_CHART } from '../../lib/aws/addons/load-balancer-controller';
import { ALLOY_CHART, LOKI_CHART } from '../../lib/aws/addons/logging';
import { METRICS_SERVER_CHART } from '../../lib/aws/addons/metrics-server';
import { VERTICAL_POD_AUTOSCALER_CHART, verticalPodAutoscalerValues } from '../../lib/aws/addons/vertical-pod-autoscaler';
import { addonProfile } from '../../lib/aws/addons/addon-profile';
import { PlatformAddons } from '../../lib/aws/addons/platform-addons';
import { PlatformAddonsProps } from '../../lib/aws/addons/platform-addons-props';
import { KUBE_PROMETHEUS_STACK_CHART } from '../../lib/aws/addons/prometheus-stack';
import { NODE_TERMINATION_HANDLER_CHART, SpotInterruption } from '../../lib/aws/addons/spot-interruption';
import { Cluster, ClusterProps } from '../../lib/aws/cluster';
import { DEFAULT_INGRESS_GATEWAY } from '../../lib/k8s/serving-namespace';
import { DEFAULT_GATEWAY_SELECTOR } from '../../lib/k8s/traffic/traffic-options';
import { awsStack, expectRejectedBeforeSynth, Json, policyOf, synth, Synthesized } from '../support/aws-stack';
import { chartDefaults, unknownKeys } from '../support/helm-charts';

const VPC = 'vpc-0123456789abcdef0';
/** Whoever runs cdktf deploy: Helm reaches the cluster as this role. */
const ADMINS = ['arn:aws:iam::123456789012:role/PlatformAdmin'];
const POOLS: readonly NodePoolSpec[] = [NodePools.general(), NodePools.gpu({ gpu: 'T4' }), NodePools.spot()];
const CPU_POOLS: readonly NodePoolSpec[] = [NodePools.general(), NodePools.spot()];

/** The deployers' egress range: the public endpoint admits it, so the add-ons can reach the API. */
const DEPLOYER_CIDRS = ['203.0.113.0/24'];

/**
 * The platform's cluster, in a stack of its own ('platform') beside `addonsStack` in the same app,
 * as in examples/platform: the add-ons stack reads it by name.
 */
function platformCluster(
  addonsStack: TerraformStack,
  environment: EnvironmentName = 'production',
  pools: readonly NodePoolSpec[] = POOLS,
  overrides: Partial<ClusterProps> = {},
  stackId = 'platform',
): Cluster {
  const platform = new TerraformStack(addonsStack.node.root as App, stackId);
  new AwsProvider(platform, 'aws', { region: 'us-east-1' });
  const cluster = new Cluster(platform, 'cluster', {
    name: 'modelserve-prod',
    environment,
    subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'],
    adminPrincipalArns: ADMINS,
    publicEndpointCidrs: DEPLOYER_CIDRS,
    ...overrides,
  });
  pools.forEach((p) => cluster.addManagedNodeGroup(p));
  return cluster;
}

interface Built {
  readonly out: Synthesized;
  readonly addons: PlatformAddons;
}

function build(props: Partial<PlatformAddonsProps> = {}, environment: EnvironmentName = 'production', pools: readonly NodePoolSpec[] = POOLS): Built {
  const stack = awsStack();
  const cluster = platformCluster(stack, environment, pools);
  const addons = new PlatformAddons(stack, 'addons', { cluster, vpcId: VPC, ...props });
  return { out: synth(stack), addons };
}

function expectRejected(props: Partial<PlatformAddonsProps>, message: string, pools: readonly NodePoolSpec[] = POOLS, environment: EnvironmentName = 'production'): void {
  expectRejectedBeforeSynth(
    (stack) => {
      const cluster = platformCluster(stack, environment, pools);
      new PlatformAddons(stack, 'addons', { cluster, vpcId: VPC, ...props });
    },
    message,
    { stack: awsStack },
  );
}

const entryOf = (out: Synthesized, name: string): [string, Json] => {
  const found = Object.entries(out.resources('helm_release')).find(([, r]) => r.name === name);
  if (!found) throw new Error(`no release ${name}`);
  return found;
};
const release = (out: Synthesized, name: string): Json => entryOf(out, name)[1];
const address = (out: Synthesized, name: string): string => `helm_release.${entryOf(out, name)[0]}`;
const values = (out: Synthesized, name: string): Json => JSON.parse(release(out, name).values[0]);
const names = (out: Synthesized): string[] => Object.values(out.resources('helm_release')).map((r: Json) => r.name).sort();
const roleNamed = (out: Synthesized, name: string): Json => Object.values(out.resources('aws_iam_role')).find((r: Json) => r.name === name);
const policyOfRole = (out: Synthesized, key: string): Json => {
  const found = Object.entries(out.resources('aws_iam_role_policy')).find(([k]) => k.includes(`_${key}-pod-identity_`));
  if (!found) throw new Error(`no policy for ${key}`);
  return policyOf(found[1].policy);
};
const statement = (policy: Json, sid: string): Json => {
  const found = policy.Statement.find((s: Json) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
};

describe('PlatformAddons, production defaults', () => {
  const { out } = build();

  test('installs every add-on, the GPU Operator because a pool has GPUs', () => {
    expect(names(out)).toEqual([
      'alloy', 'argo-rollouts', 'argo-workflows', 'aws-load-balancer-controller', 'cluster-autoscaler', 'gpu-operator', 'istio-base', 'istio-cni',
      'istio-ingressgateway', 'istiod', 'keda', 'kube-prometheus-stack', 'loki', 'metrics-server',
    ]);
  });

  test.each<[string, HelmChartPin]>([
    ['aws-load-balancer-controller', LOAD_BALANCER_CONTROLLER_CHART],
    ['cluster-autoscaler', CLUSTER_AUTOSCALER_CHART],
    ['metrics-server', METRICS_SERVER_CHART],
    ['keda', KEDA_CHART],
    ['istio-base', ISTIO_BASE_CHART],
    ['istiod', ISTIOD_CHART],
    ['istio-cni', ISTIO_CNI_CHART],
    ['istio-ingressgateway', ISTIO_GATEWAY_CHART],
    ['kube-prometheus-stack', KUBE_PROMETHEUS_STACK_CHART],
    ['loki', LOKI_CHART],
    ['alloy', ALLOY_CHART],
    ['gpu-operator', GPU_OPERATOR_CHART],
    ['argo-rollouts', ARGO_ROLLOUTS_CHART],
    ['argo-workflows', ARGO_WORKFLOWS_CHART],
  ])('%s is the pinned chart, at an exact version', (name, pin) => {
    const r = release(out, name);
    expect({ repository: r.repository, chart: r.chart, version: r.version }).toEqual(pin);
    expect(r.version).toMatch(/^v?\d+\.\d+\.\d+$/);
  });

  test('the versions checked on 2026-11-22', () => {
    expect(Object.fromEntries(Object.values(out.resources('helm_release')).map((r: Json) => [r.name, r.version]))).toMatchObject({
      'aws-load-balancer-controller': '3.6.0',
      'cluster-autoscaler': '9.59.0',
      'metrics-server': '3.13.1',
      keda: '2.21.1',
      'istio-base': '1.31.0',
      istiod: '1.31.0',
      'istio-cni': '1.31.0',
      'istio-ingressgateway': '1.31.0',
      'argo-rollouts': '2.42.0',
      'argo-workflows': '1.1.1',
    });
  });

  test('every release is atomic, waits, times out, and takes its values as one JSON document', () => {
    for (const r of Object.values(out.resources('helm_release')) as Json[]) {
      expect(r).toMatchObject({ atomic: true, wait: true, cleanup_on_fail: true, create_namespace: false, max_history: 10 });
      expect([600, 900]).toContain(r.timeout);
      expect(r.values).toHaveLength(1);
      expect(() => JSON.parse(r.values[0])).not.toThrow();
    }
    expect(release(out, 'kube-prometheus-stack').timeout).toBe(900);
  });

  test('the Helm and Kubernetes providers read the cluster through a data source, with a token from aws eks get-token', () => {
    // The Kubernetes provider's documented way: a data source read at plan time, never a
    // resource of the same apply (https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs).
    const exec = {
      api_version: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', 'modelserve-prod', '--region', expect.stringMatching(/^\$\{data\.aws_region\./), '--output', 'json'],
    };
    const connection = {
      host: expect.stringMatching(/^\$\{data\.aws_eks_cluster\.addons_cluster_\w+\.endpoint\}$/),
      cluster_ca_certificate: expect.stringMatching(/^\$\{base64decode\(data\.aws_eks_cluster\.addons_cluster_\w+\.certificate_authority\[0\]\.data\)\}$/),
    };
    expect(out.json.provider.helm).toEqual([{ kubernetes: { ...connection, exec } }]);
    expect(out.json.provider.kubernetes).toEqual([{ ...connection, exec: [exec] }]);
    expect(out.json.terraform.required_providers).toMatchObject({ helm: { version: '3.1.1' }, kubernetes: { version: '2.38.0' } });
  });

  test('the stack holds the add-ons only and depends on the cluster\'s stack, which cdktf deploys first', () => {
    expect(out.resources('aws_eks_cluster')).toEqual({});
    expect(out.resources('aws_eks_node_group')).toEqual({});
    expect(Object.values(out.json.data.aws_eks_cluster)).toEqual([expect.objectContaining({ name: 'modelserve-prod' })]);
    // A reference to the other stack's resources would go through terraform_remote_state.
    expect(out.json.data.terraform_remote_state).toBeUndefined();
  });

  test('order: Istio base, istiod, CNI, then Prometheus; every chart with a ServiceMonitor after Prometheus; the gateway after the load balancer controller', () => {
    const after = (name: string, ...first: string[]) => expect(release(out, name).depends_on).toEqual(expect.arrayContaining(first.map((f) => address(out, f))));
    after('istiod', 'istio-base');
    after('istio-cni', 'istiod');
    after('kube-prometheus-stack', 'istiod', 'istio-cni');
    for (const name of ['aws-load-balancer-controller', 'cluster-autoscaler', 'metrics-server', 'keda', 'gpu-operator', 'argo-rollouts', 'argo-workflows', 'loki']) after(name, 'kube-prometheus-stack');
    after('istio-ingressgateway', 'istiod', 'aws-load-balancer-controller');
    after('alloy', 'loki');
    expect(release(out, 'kube-prometheus-stack').depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kubernetes_secret_v1\./), expect.stringMatching(/^kubernetes_storage_class_v1\./)]),
    );
  });

  test('charts in their own namespaces wait for the namespace; kube-system ones create none', () => {
    const namespaces = out.resources('kubernetes_namespace_v1');
    const byName = Object.fromEntries(Object.entries(namespaces).map(([k, ns]) => [ns.metadata.name, `kubernetes_namespace_v1.${k}`]));
    expect(Object.keys(byName).sort()).toEqual(['argo', 'argo-rollouts', 'gpu-operator', 'istio-ingress', 'istio-system', 'keda', 'logging', 'monitoring']);
    expect(release(out, 'keda').depends_on).toContain(byName.keda);
    expect(release(out, 'istiod').depends_on).toContain(byName['istio-system']);
    expect(release(out, 'istio-cni').namespace).toBe('kube-system');
    expect(byName['kube-system']).toBeUndefined();
  });

  test('Istio: istio-system for istiod, istio-ingress for a gateway labelled istio=ingressgateway, CNI on, mTLS and JSON access logs', () => {
    expect(release(out, 'istiod').namespace).toBe('istio-system');
    expect(release(out, 'istio-ingressgateway').namespace).toBe('istio-ingress');
    const istiod = values(out, 'istiod');
    expect(istiod.pilot.cni).toEqual({ enabled: true });
    expect(istiod.pilot.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(istiod.meshConfig).toMatchObject({ enableAutoMtls: true, accessLogFile: '/dev/stdout', accessLogEncoding: 'JSON', defaultConfig: { holdApplicationUntilProxyStarts: true } });
    expect(values(out, 'istio-ingressgateway').labels).toEqual({ istio: 'ingressgateway' });
  });

  test('the gateway runs where the Kubernetes side expects it: its namespace and the labels Gateways select and NetworkPolicies admit', () => {
    expect(DEFAULT_INGRESS_GATEWAY).toEqual({ namespace: ISTIO_INGRESS_NAMESPACE, podLabels: INGRESS_GATEWAY_LABELS });
    expect(DEFAULT_GATEWAY_SELECTOR).toEqual(INGRESS_GATEWAY_LABELS);
    expect(release(out, 'istio-ingressgateway').namespace).toBe(DEFAULT_INGRESS_GATEWAY.namespace);
    expect(values(out, 'istio-ingressgateway').labels).toEqual(DEFAULT_GATEWAY_SELECTOR);
  });

  test('the ingress gateway gets an internal NLB with IP targets from the load balancer controller', () => {
    const service = values(out, 'istio-ingressgateway').service;
    expect(service.type).toBe('LoadBalancer');
    expect(service.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '15021',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/healthz/ready',
    });
    expect(service.loadBalancerSourceRanges).toBeUndefined();
  });

  test('the load balancer controller gets the cluster, region and VPC (its pods cannot read IMDS)', () => {
    expect(values(out, 'aws-load-balancer-controller')).toMatchObject({
      clusterName: 'modelserve-prod',
      region: expect.stringMatching(/^\$\{data\.aws_region\./),
      vpcId: VPC,
      serviceAccount: { create: true, name: 'aws-load-balancer-controller' },
      enableServiceMutatorWebhook: false,
    });
  });

  test('the autoscaler discovers this cluster\'s node groups by tag, balances, prefers spot, and may remove nodes with emptyDir', () => {
    const v = values(out, 'cluster-autoscaler');
    expect(v.autoDiscovery).toEqual({ clusterName: 'modelserve-prod', tags: ['k8s.io/cluster-autoscaler/enabled', 'k8s.io/cluster-autoscaler/modelserve-prod'] });
    expect(v.image.tag).toBe('v1.35.0');
    expect(v.extraArgs).toMatchObject({ expander: 'priority,least-waste', 'balance-similar-node-groups': true, 'skip-nodes-with-local-storage': false, 'scale-down-utilization-threshold': 0.5, 'scale-down-unneeded-time': '10m' });
    expect(v.expanderPriorities).toEqual({
      '10': ['^eks-modelserve-prod-general-[0-9a-f-]+$', '^eks-modelserve-prod-gpu-t4-[0-9a-f-]+$'],
      '50': ['^eks-modelserve-prod-spot-[0-9a-f-]+$'],
    });
  });

  test('KEDA, Argo Rollouts, Argo Workflows and the controllers ship ServiceMonitors (Prometheus is on)', () => {
    expect(values(out, 'keda').prometheus.operator).toMatchObject({ enabled: true, serviceMonitor: { enabled: true } });
    expect(values(out, 'argo-rollouts').controller.metrics.serviceMonitor.enabled).toBe(true);
    expect(values(out, 'argo-workflows').controller.serviceMonitor.enabled).toBe(true);
    expect(values(out, 'aws-load-balancer-controller').serviceMonitor.enabled).toBe(true);
    expect(values(out, 'metrics-server').serviceMonitor.enabled).toBe(true);
  });

  test('Argo: Rollouts without its dashboard, Workflows server with client auth and nothing written into the serving namespaces', () => {
    expect(values(out, 'argo-rollouts').dashboard.enabled).toBe(false);
    const workflows = values(out, 'argo-workflows');
    expect(workflows.server.authModes).toEqual(['client']);
    expect(workflows.server.sso).toBeUndefined();
    // ModelPipeline brings its own ServiceAccount and Role; a chart Role in a namespace GitOps has
    // not created yet would fail the install.
    expect(workflows.workflow).toEqual({ rbac: { create: false } });
    expect(workflows.controller.workflowNamespaces).toBeUndefined();
    // Argo's own init and wait containers run in the restricted serving namespace too.
    const restricted = { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    expect(workflows.executor.securityContext).toEqual(restricted);
    expect(workflows.mainContainer.securityContext).toEqual(restricted);
  });

  test('a gp3 StorageClass, encrypted, bound where the pod lands; a Grafana admin Secret the state never holds', () => {
    expect(out.only('kubernetes_storage_class_v1')).toMatchObject({
      metadata: { name: 'gp3' },
      storage_provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volume_binding_mode: 'WaitForFirstConsumer',
    });
    const secret = out.only('kubernetes_secret_v1');
    expect(secret.metadata).toMatchObject({ name: 'grafana-admin', namespace: 'monitoring' });
    expect(secret.data_wo).toEqual({ 'admin-user': 'admin', 'admin-password': '${uuid()}' });
    expect(secret.data).toBeUndefined();
  });
});

describe('PlatformAddons values by environment', () => {
  const prod = build({}, 'production').out;
  const dev = build({}, 'development').out;

  test('two replicas with PDBs and zone spread in production, one replica and none in development', () => {
    expect(values(prod, 'aws-load-balancer-controller')).toMatchObject({ replicaCount: 2, podDisruptionBudget: { maxUnavailable: 1 } });
    expect(values(dev, 'aws-load-balancer-controller')).toMatchObject({ replicaCount: 1, podDisruptionBudget: {} });
    expect(values(prod, 'cluster-autoscaler').replicaCount).toBe(2);
    expect(values(dev, 'cluster-autoscaler').replicaCount).toBe(1);
    expect(values(prod, 'metrics-server')).toMatchObject({ replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } });
    expect(values(dev, 'metrics-server')).toMatchObject({ replicas: 1, podDisruptionBudget: { enabled: false } });
    expect(values(prod, 'keda')).toMatchObject({ operator: { replicaCount: 2 }, metricsServer: { replicaCount: 2 }, podDisruptionBudget: { operator: { maxUnavailable: 1 } } });
    expect(values(dev, 'keda')).toMatchObject({ operator: { replicaCount: 1 }, podDisruptionBudget: {} });
    expect(values(prod, 'istiod')).toMatchObject({ pilot: { replicaCount: 2, autoscaleEnabled: true, autoscaleMin: 2 }, global: { defaultPodDisruptionBudget: { enabled: true } } });
    expect(values(dev, 'istiod')).toMatchObject({ pilot: { replicaCount: 1, autoscaleEnabled: false }, global: { defaultPodDisruptionBudget: { enabled: false } } });
    expect(values(prod, 'istio-ingressgateway')).toMatchObject({ autoscaling: { minReplicas: 2, maxReplicas: 10 }, podDisruptionBudget: { minAvailable: 1 } });
    expect(values(dev, 'istio-ingressgateway')).toMatchObject({ autoscaling: { minReplicas: 1 }, podDisruptionBudget: {} });
    expect(values(prod, 'argo-rollouts').controller).toMatchObject({ replicas: 2, pdb: { enabled: true } });
    expect(values(dev, 'argo-rollouts').controller).toMatchObject({ replicas: 1, pdb: { enabled: false } });
    expect(values(prod, 'argo-workflows').controller).toMatchObject({ replicas: 2, pdb: { enabled: true } });

    const spread = values(prod, 'aws-load-balancer-controller').topologySpreadConstraints;
    expect(spread.map((s: Json) => s.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(spread[0]).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'aws-load-balancer-controller' } } });
    expect(values(dev, 'aws-load-balancer-controller').topologySpreadConstraints).toEqual([]);
  });

  test('every controller has requests and limits, and runs on on-demand nodes', () => {
    for (const [name, path] of [
      ['aws-load-balancer-controller', []],
      ['cluster-autoscaler', []],
      ['metrics-server', []],
      ['istiod', ['pilot']],
      ['istio-ingressgateway', []],
      ['argo-rollouts', ['controller']],
      ['argo-workflows', ['controller']],
      ['argo-workflows', ['server']],
    ] as const) {
      const v = (path as readonly string[]).reduce((acc: Json, key) => acc[key], values(prod, name));
      expect(v.resources).toEqual({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { cpu: expect.any(String), memory: expect.any(String) } });
      expect(v.nodeSelector).toEqual({ 'modelserve.io/capacity-type': 'on-demand' });
    }
    expect(values(prod, 'keda').resources.operator).toEqual({ requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '1', memory: '1000Mi' } });
    expect(values(prod, 'istiod').pilot.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  });

  test('the autoscaler image follows the cluster\'s Kubernetes minor', () => {
    const stack = awsStack();
    const cluster = platformCluster(stack, 'production', POOLS, { kubernetesVersion: '1.36' });
    new PlatformAddons(stack, 'addons', { cluster, vpcId: VPC });
    expect(values(synth(stack), 'cluster-autoscaler').image.tag).toBe('v1.36.1');
  });
});

describe('PlatformAddons Pod Identity roles', () => {
  const { out } = build();

  // Trust scoped with the session tags EKS Pod Identity documents (pod-id-role, pod-id-abac).
  test('one role per AWS-calling add-on, named after the cluster, trusted only for its own service account in this cluster', () => {
    for (const [name, namespace, serviceAccount] of [
      ['modelserve-prod-lb-controller', 'kube-system', 'aws-load-balancer-controller'],
      ['modelserve-prod-cluster-autoscaler', 'kube-system', 'cluster-autoscaler'],
      ['modelserve-prod-loki', 'logging', 'loki'],
    ]) {
      const trust = policyOf(roleNamed(out, name).assume_role_policy);
      expect(trust.Statement).toEqual([
        {
          Sid: 'EksPodIdentityOfOneServiceAccount',
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:RequestTag/eks-cluster-arn': expect.stringMatching(/:eks:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:cluster\/modelserve-prod$/),
              'aws:RequestTag/kubernetes-namespace': namespace,
              'aws:RequestTag/kubernetes-service-account': serviceAccount,
            },
          },
        },
      ]);
    }
  });

  test('associations bind each role to the chart\'s service account, and the chart waits for them', () => {
    const associations = Object.entries(out.resources('aws_eks_pod_identity_association')).filter(([k]) => k.startsWith('addons_'));
    expect(associations.map(([, a]) => `${a.namespace}/${a.service_account}`).sort()).toEqual(['kube-system/aws-load-balancer-controller', 'kube-system/cluster-autoscaler', 'logging/loki']);
    const lbc = associations.find(([, a]) => a.service_account === 'aws-load-balancer-controller') as [string, Json];
    expect(release(out, 'aws-load-balancer-controller').depends_on).toContain(`aws_eks_pod_identity_association.${lbc[0]}`);
  });

  // The statements themselves are tested in test/aws/addons/load-balancer-controller.test.ts.
  test('the load balancer controller\'s policy is scoped to this cluster\'s tag and VPC', () => {
    const policy = policyOfRole(out, 'load-balancer-controller');
    expect(statement(policy, 'ManageOwnBalancersListenersAndRules').Condition).toEqual({ StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'modelserve-prod' } });
    expect(statement(policy, 'EditSecurityGroupRulesInThisVpc').Condition).toEqual({
      ArnEquals: { 'ec2:Vpc': expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\}:ec2:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:vpc\/vpc-0123456789abcdef0$/) },
    });
    expect(values(out, 'aws-load-balancer-controller')).toMatchObject({ enableWaf: false, vpcId: 'vpc-0123456789abcdef0' });
  });

  test('the autoscaler reads every group, but resizes only groups owned by this cluster and describes only its node groups', () => {
    const policy = policyOfRole(out, 'cluster-autoscaler');
    expect(statement(policy, 'ResizeThisClustersGroups')).toEqual({
      Sid: 'ResizeThisClustersGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/modelserve-prod': 'owned' } },
    });
    expect(statement(policy, 'DescribeThisClustersNodeGroups')).toMatchObject({
      Action: ['eks:DescribeNodegroup'],
      Resource: expect.stringMatching(/:eks:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:nodegroup\/modelserve-prod\/\*\/\*$/),
    });
    expect(statement(policy, 'DiscoverGroupsAndInstanceTypes').Action).toEqual(expect.arrayContaining(['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeTags', 'ec2:DescribeInstanceTypes']));
    for (const s of policy.Statement) for (const a of s.Action) expect(a).not.toMatch(/\*/);
  });

  test('Loki reads and writes its own bucket only', () => {
    const policy = policyOfRole(out, 'loki');
    expect(statement(policy, 'ReadWriteDeleteLogObjects').Resource).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.addons_log-store_bucket_\w+\.arn\}\/\*$/)]);
  });
});

describe('PlatformAddons toggles', () => {
  test('an add-on turned off has no release, no role, no namespace', () => {
    const { out } = build({ keda: false, clusterAutoscaler: false, argoWorkflows: false });
    expect(names(out)).not.toContain('keda');
    expect(names(out)).not.toContain('cluster-autoscaler');
    expect(names(out)).not.toContain('argo-workflows');
    expect(roleNamed(out, 'modelserve-prod-cluster-autoscaler')).toBeUndefined();
    const namespaces = Object.values(out.resources('kubernetes_namespace_v1')).map((ns: Json) => ns.metadata.name);
    expect(namespaces).not.toContain('keda');
    expect(namespaces).not.toContain('argo');
  });

  test('no load balancer controller and no gateway: no controller role, no istio-ingress', () => {
    const { out } = build({ loadBalancerController: false, istio: { gateway: false } });
    expect(names(out)).not.toContain('aws-load-balancer-controller');
    expect(names(out)).not.toContain('istio-ingressgateway');
    expect(names(out)).toEqual(expect.arrayContaining(['istio-base', 'istiod', 'istio-cni']));
    expect(roleNamed(out, 'modelserve-prod-lb-controller')).toBeUndefined();
    expect(Object.values(out.resources('kubernetes_namespace_v1')).map((ns: Json) => ns.metadata.name)).not.toContain('istio-ingress');
  });

  test('no logging: no bucket, no Loki role, no Loki data source in Grafana', () => {
    const { out, addons } = build({ logging: false });
    expect(addons.logStore).toBeUndefined();
    expect(out.resources('aws_s3_bucket')).toEqual({});
    expect(roleNamed(out, 'modelserve-prod-loki')).toBeUndefined();
    expect(names(out)).not.toContain('loki');
    expect(values(out, 'kube-prometheus-stack').grafana.additionalDataSources).toBeUndefined();
  });

  test('no Prometheus: no ServiceMonitors anywhere, Istio not waited for, no Grafana Secret', () => {
    const { out } = build({ prometheus: false, gpuOperator: false, logging: false });
    expect(names(out)).not.toContain('kube-prometheus-stack');
    expect(values(out, 'keda').prometheus.operator.serviceMonitor.enabled).toBe(false);
    expect(values(out, 'aws-load-balancer-controller').serviceMonitor).toEqual({ enabled: false });
    expect(values(out, 'cluster-autoscaler').serviceMonitor).toEqual({ enabled: false });
    expect(values(out, 'argo-workflows').controller.metricsConfig.enabled).toBe(false);
    expect(out.resources('kubernetes_secret_v1')).toEqual({});
    expect(out.resources('kubernetes_storage_class_v1')).toEqual({});
  });

  test('no Istio: none of its four releases', () => {
    const { out } = build({ istio: false });
    for (const name of ['istio-base', 'istiod', 'istio-cni', 'istio-ingressgateway']) expect(names(out)).not.toContain(name);
  });

  test('the GPU Operator is off without GPU pools', () => {
    const { out } = build({}, 'production', CPU_POOLS);
    expect(names(out)).not.toContain('gpu-operator');
  });

  test('an internet-facing gateway, to the listed clients only', () => {
    const { out } = build({ istio: { internetFacing: true, sourceCidrs: ['203.0.113.0/24'] } });
    const service = values(out, 'istio-ingressgateway').service;
    expect(service.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internet-facing');
    expect(service.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
  });

  test('options reach the values', () => {
    const { out } = build({
      clusterAutoscaler: { expanders: ['least-waste'], scaleDownUtilizationThreshold: 0.6, scaleDownUnneededMinutes: 20 },
      keda: { operatorReplicas: 3 },
      loadBalancerController: { replicas: 3 },
      argoRollouts: { dashboard: true, controllerReplicas: 3 },
      istio: { gatewayMinReplicas: 3, gatewayMaxReplicas: 30 },
    });
    expect(values(out, 'cluster-autoscaler').extraArgs).toMatchObject({ expander: 'least-waste', 'scale-down-utilization-threshold': 0.6, 'scale-down-unneeded-time': '20m' });
    expect(values(out, 'cluster-autoscaler').expanderPriorities).toEqual({});
    expect(values(out, 'keda').operator.replicaCount).toBe(3);
    expect(values(out, 'aws-load-balancer-controller').replicaCount).toBe(3);
    expect(values(out, 'argo-rollouts')).toMatchObject({ dashboard: { enabled: true, readonly: true }, controller: { replicas: 3 } });
    expect(values(out, 'istio-ingressgateway').autoscaling).toMatchObject({ minReplicas: 3, maxReplicas: 30 });
  });

  test('Argo Workflows with SSO: the client secret by reference, SSO RBAC on', () => {
    const { out } = build({ argoWorkflows: { serverAuth: ArgoServerAuth.sso({ issuer: 'https://login.example.com', clientSecretName: 'argo-sso', redirectUrl: 'https://argo.example.com/oauth2/callback' }) } });
    expect(values(out, 'argo-workflows').server).toMatchObject({
      authModes: ['sso'],
      sso: { enabled: true, issuer: 'https://login.example.com', clientId: { name: 'argo-sso', key: 'client-id' }, clientSecret: { name: 'argo-sso', key: 'client-secret' }, rbac: { enabled: true } },
    });
  });

  test('the termination handler in queue mode: an SQS queue fed by EventBridge, its own role, its release', () => {
    const { out, addons } = build({ spotInterruption: SpotInterruption.terminationHandlerQueue() });
    expect(addons.spotInterruptionQueue).toBeDefined();
    expect(out.only('aws_sqs_queue').name).toBe('modelserve-prod-node-termination');
    const r = release(out, 'aws-node-termination-handler');
    expect({ repository: r.repository, chart: r.chart, version: r.version }).toEqual(NODE_TERMINATION_HANDLER_CHART);
    expect(roleNamed(out, 'modelserve-prod-node-termination')).toBeDefined();
    expect(statement(policyOfRole(out, 'node-termination-handler'), 'ConsumeInterruptionQueue').Resource).toEqual([expect.stringMatching(/^\$\{aws_sqs_queue\./)]);
  });

  test('capacity rebalancing (the default) installs no handler', () => {
    const { out } = build();
    expect(out.resources('aws_sqs_queue')).toEqual({});
    expect(names(out)).not.toContain('aws-node-termination-handler');
  });
});

describe('ClusterProviders', () => {
  test('a second cluster, read by name, gets aliased providers, and its releases use them', () => {
    const stack = awsStack();
    const first = platformCluster(stack);
    const second = Cluster.fromClusterName(stack, 'second', { clusterName: 'second', kubernetesVersion: '1.35', nodePools: [NodePools.general()], environment: 'development' });
    new PlatformAddons(stack, 'addons', { cluster: first, vpcId: VPC });
    const providers = new ClusterProviders(stack, 'second-providers', { cluster: second, alias: 'second' });
    new PlatformAddons(stack, 'second-addons', { cluster: second, vpcId: VPC, providers, logging: false, deployFromInsideVpc: true });
    const out = synth(stack);
    expect(out.json.provider.helm.map((p: Json) => p.alias)).toEqual([undefined, 'second']);
    const secondKeda = Object.entries(out.resources('helm_release')).find(([k, r]) => k.startsWith('second-addons') && r.name === 'keda') as [string, Json];
    expect(secondKeda[1].provider).toBe('helm.second');
    expect(out.json.provider.kubernetes[1].host).toMatch(/data\.aws_eks_cluster\.second_cluster_\w+\.endpoint/);
  });
});

describe('PlatformAddons rejects bad input before writing anything', () => {
  test('an option out of range', () => {
    expectRejected({ keda: { operatorReplicas: 9 } }, 'test/addons: keda.operatorReplicas (9) must be a whole number from 1 to 5; set keda.operatorReplicas between 1 and 5');
    expectRejected({ clusterAutoscaler: { scaleDownUtilizationThreshold: 1.5 } }, 'test/addons: clusterAutoscaler.scaleDownUtilizationThreshold (1.5) must be a number from 0.1 to 0.9; set clusterAutoscaler.scaleDownUtilizationThreshold between 0.1 and 0.9');
    expectRejected({ istio: { gatewayMinReplicas: 12, gatewayMaxReplicas: 4 } }, 'test/addons: istio.gatewayMinReplicas (12) is greater than gatewayMaxReplicas (4); lower gatewayMinReplicas or raise gatewayMaxReplicas');
    expectRejected({ argoRollouts: { controllerReplicas: 0 } }, 'test/addons: argoRollouts.controllerReplicas (0) must be a whole number from 1 to 3; set argoRollouts.controllerReplicas between 1 and 3');
  });

  test('an unknown option, an unknown prop, an unknown expander', () => {
    expectRejected({ keda: { replicas: 3 } as never }, 'test/addons: keda.replicas (3) is not an option of keda; use one of operatorReplicas');
    expectRejected({ kedaa: true } as never, 'test/addons: kedaa (true) is not a PlatformAddons prop; use one of cluster, environment, vpcId, nodePools, providers, region, deployFromInsideVpc, spotInterruption, tags, loadBalancerController, clusterAutoscaler, metricsServer, keda, istio, prometheus, logging, gpuOperator, argoRollouts, argoWorkflows, karpenter, verticalPodAutoscaler');
    expectRejected({ clusterAutoscaler: { expanders: ['fastest' as never] } }, 'test/addons: clusterAutoscaler.expanders[0] ("fastest") is not supported; use one of "priority", "least-waste", "most-pods", "random", "price"');
    expectRejected({ metricsServer: 'yes' as never }, 'test/addons: metricsServer ("yes") is not true or false; set metricsServer: true or false');
    expectRejected({ argoRollouts: { dashboard: 'yes' as never } }, 'test/addons: argoRollouts.dashboard ("yes") is not true or false; set argoRollouts.dashboard: true or false');
    expectRejected({ istio: { gateway: 1 as never } }, 'test/addons: istio.gateway (1) is not true or false; set istio.gateway: true or false');
  });

  test('an internet-facing NLB without a gateway, or without client ranges, or open to the internet', () => {
    expectRejected({ istio: { gateway: false, internetFacing: true } }, 'test/addons: istio.internetFacing (true) asks for a public load balancer, but istio.gateway is false, so there is none; drop internetFacing, or set istio.gateway: true');
    expectRejected({ istio: { internetFacing: true } }, 'test/addons: istio.sourceCidrs ([]) is empty, so an internet-facing gateway would admit the whole internet; list the client CIDRs, or set allowFromAnywhere: true with sourceCidrs ["0.0.0.0/0"]');
    expectRejected({ istio: { internetFacing: true, sourceCidrs: ['0.0.0.0/0'] } }, 'test/addons: istio.sourceCidrs[0] ("0.0.0.0/0") admits the whole internet; list your clients\' CIDRs, or set istio.allowFromAnywhere: true if that is really meant');
    expectRejected({ istio: { internetFacing: true, sourceCidrs: ['203.0.113.7/24'] } }, 'test/addons: istio.sourceCidrs[0] ("203.0.113.7/24") has host bits set; use 203.0.113.0/24');
  });

  test('a gateway without the load balancer controller, which would get a Classic Load Balancer', () => {
    expectRejected({ loadBalancerController: false }, 'test/addons: istio.gateway (true) needs the AWS Load Balancer Controller: without it the in-tree controller would give the gateway\'s Service a Classic Load Balancer; turn loadBalancerController on, or set istio.gateway: false');
  });

  test('the GPU Operator without GPU pools, or without Prometheus', () => {
    expectRejected({ gpuOperator: true }, 'test/addons: gpuOperator (true) is on, but no node pool has GPUs; add NodePools.gpu(...), or leave gpuOperator out', CPU_POOLS);
    expectRejected({ prometheus: false }, 'test/addons: gpuOperator (true) needs prometheus: the DCGM exporter\'s ServiceMonitor (GPU utilisation for KEDA) is a Prometheus Operator object; turn prometheus on, or set gpuOperator: false');
  });

  test('pools that are not the cluster\'s, or none where the controllers can run', () => {
    expectRejected({ nodePools: [NodePools.highMemory()] }, 'test/addons: nodePools[0] ("high-memory") is not one of the cluster\'s node pools, so the add-ons would be configured for capacity that does not exist; use the cluster\'s pools (general, gpu-t4, spot), or leave nodePools out');
    expectRejected(
      {},
      'test/addons: nodePools (["spot","gpu-t4"]) has no untainted on-demand pool with nodes labelled modelserve.io/capacity-type=on-demand, where the add-on controllers run (never on spot capacity they may have to replace); add NodePools.general()',
      [NodePools.spot({ taint: false }), NodePools.gpu({ gpu: 'T4' })],
    );
    // On demand, but without the label the controllers select.
    const unlabelled: NodePoolSpec = { ...NodePools.general(), labels: {} };
    expectRejected(
      {},
      'test/addons: nodePools (["general"]) has no untainted on-demand pool with nodes labelled modelserve.io/capacity-type=on-demand, where the add-on controllers run (never on spot capacity they may have to replace); add NodePools.general()',
      [unlabelled],
    );
  });

  test('a cluster without node pools', () => {
    expectRejectedBeforeSynth(
      (stack) => new PlatformAddons(stack, 'addons', { cluster: platformCluster(stack, 'production', []), vpcId: VPC }),
      'test/addons: cluster ("platform/cluster") has no node pools, so no add-on could run and the charts would wait until the apply times out; add the node pools (cluster.addManagedNodeGroup) before PlatformAddons',
      { stack: awsStack },
    );
  });

  test('a cluster that grants nobody API access, so that Helm could not reach it', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = platformCluster(stack, 'production', POOLS, { adminPrincipalArns: undefined, grantDeployerClusterAdmin: false });
        new PlatformAddons(stack, 'addons', { cluster, vpcId: VPC });
      },
      'test/addons: cluster ("platform/cluster") grants nobody access to its Kubernetes API, so Helm, which calls it as whoever runs cdktf deploy, could not install a single chart; keep grantDeployerClusterAdmin on, or list the deployer\'s role in adminPrincipalArns (of ModelServePlatform or Cluster)',
      { stack: awsStack },
    );
  });

  test('a VPC id that is not one', () => {
    expectRejected({ vpcId: 'my-vpc' }, 'test/addons: vpcId ("my-vpc") is not a VPC id; use the id of the cluster\'s VPC, e.g. "vpc-0abc1234def567890"');
  });

  test('no environment where the cluster does not know its own, a bad one, or the retired workflowNamespaces option', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = Cluster.fromClusterName(stack, 'cluster', { clusterName: 'modelserve-prod', kubernetesVersion: '1.35', nodePools: POOLS });
        new PlatformAddons(stack, 'addons', { cluster, deployFromInsideVpc: true });
      },
      'test/addons: environment (not set) is not set and the cluster (test/cluster) does not say which environment it was made for; set environment: "development", "staging" or "production"',
      { stack: awsStack },
    );
    expectRejected({ environment: 'prod' as never }, 'test/addons: environment ("prod") is not supported; use one of "development", "staging", "production"');
    expectRejected({ argoWorkflows: { workflowNamespaces: ['models-production'] } as never }, 'test/addons: argoWorkflows.workflowNamespaces (["models-production"]) is not an option of argoWorkflows; use one of serverAuth, controllerReplicas');
  });

  test('bad values of the add-on modules are reported with the add-on\'s path', () => {
    expectRejected({ prometheus: { retentionDays: 0 } }, 'test/addons/prometheus: retentionDays (0) must be a whole number from 1 to 3650; keep samples 1 to 3650 days; use long-term storage (Thanos, Mimir, AMP) beyond that');
    expectRejected({ logging: { retentionDays: 5000 } }, 'test/addons: logging.retentionDays (5000) must be a whole number from 1 to 3650; set logging.retentionDays between 1 and 3650');
  });

  test('a default log bucket name that could not fit S3\'s 63 characters', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = platformCluster(stack, 'production', POOLS, { name: 'modelserve-production-inference-east' });
        new PlatformAddons(stack, 'addons', { cluster, vpcId: VPC });
      },
      'test/addons: logging.bucketName (not set) defaults to "modelserve-production-inference-east-logs-<account>-<region>", which can exceed the 63 characters S3 allows; give logging.bucketName',
      { stack: awsStack },
    );
  });

  test('providers of another cluster, or a default Helm provider the stack already has', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = platformCluster(stack);
        const other = Cluster.fromClusterName(stack, 'other', { clusterName: 'other', kubernetesVersion: '1.35', nodePools: POOLS });
        const providers = new ClusterProviders(stack, 'other-providers', { cluster: other, alias: 'other' });
        new PlatformAddons(stack, 'addons', { cluster, vpcId: VPC, providers });
      },
      'test/addons: providers ("other") point at another cluster; make the providers from this cluster: new ClusterProviders(stack, id, { cluster })',
      { stack: awsStack },
    );
    expectRejectedBeforeSynth(
      (stack) => {
        new HelmProvider(stack, 'helm');
        new PlatformAddons(stack, 'addons', { cluster: platformCluster(stack), vpcId: VPC });
      },
      'test/modelserve-cluster-providers: alias (not set) names the default Helm or Kubernetes provider that the stack already has; give this one an alias, or reuse the existing providers',
      { stack: awsStack },
    );
  });
});

describe('PlatformAddons in a stack of its own, reaching the cluster from where cdktf deploy runs', () => {
  const postconditions = (out: Synthesized): Json[] => (Object.values(out.json.data.aws_eks_cluster)[0] as Json).lifecycle.postcondition;

  test('reads the platform\'s cluster by name, depends on its stack, and takes its region and default tags', () => {
    const addonsStack = new TerraformStack(Testing.app(), 'addons');
    const cluster = platformCluster(addonsStack);
    const platform = TerraformStack.of(cluster);
    new PlatformAddons(addonsStack, 'addons', { cluster });
    expect(addonsStack.dependencies).toEqual([platform]);
    const out = synth(addonsStack);
    expect(out.json.provider.aws).toEqual([{ region: 'us-east-1' }]);
    // Known at synth from the Cluster: the public endpoint admits the deployers, nothing to check at plan.
    expect(postconditions(out).map((p) => p.condition)).toEqual(['${self.version == "1.35"}']);
    // The VPC comes from the data source, not from the other stack's resource.
    expect(values(out, 'aws-load-balancer-controller').vpcId).toMatch(/^\$\{data\.aws_eks_cluster\.addons_cluster_\w+\.vpc_config\[0\]\.vpc_id\}$/);
    expect(out.json.output.log_bucket_name.value).toMatch(/^\$\{aws_s3_bucket\./);
  });

  test('region given: its own provider, with the environment in the default tags', () => {
    const addonsStack = new TerraformStack(Testing.app(), 'addons');
    const cluster = platformCluster(addonsStack);
    new PlatformAddons(addonsStack, 'addons', { cluster, region: 'eu-west-1' });
    expect(synth(addonsStack).json.provider.aws).toEqual([
      { region: 'eu-west-1', default_tags: [{ tags: { 'managed-by': 'cdktf', 'modelserve.io/cluster': 'modelserve-prod', 'modelserve.io/environment': 'production' } }] },
    ]);
  });

  test('a cluster read by name: its version and, unless the deployer is inside the VPC, a public endpoint are checked at plan', () => {
    const stack = awsStack();
    const cluster = Cluster.fromClusterName(stack, 'cluster', { clusterName: 'ml', kubernetesVersion: '1.36', nodePools: POOLS, environment: 'staging' });
    new PlatformAddons(stack, 'addons', { cluster });
    const out = synth(stack);
    // Terraform runs data source postconditions at plan, before any chart is installed
    // (https://developer.hashicorp.com/terraform/language/expressions/custom-conditions#preconditions-and-postconditions).
    expect(postconditions(out)).toEqual([
      { condition: '${self.version == "1.36"}', error_message: expect.stringContaining('set kubernetesVersion to the cluster\'s version') },
      { condition: '${self.vpc_config[0].endpoint_public_access}', error_message: expect.stringContaining('set PlatformAddons deployFromInsideVpc: true') },
    ]);
    expect(values(out, 'cluster-autoscaler').image.tag).toBe('v1.36.1');
    expect(values(out, 'cluster-autoscaler').replicaCount).toBe(2);

    const inside = awsStack();
    const imported = Cluster.fromClusterName(inside, 'cluster', { clusterName: 'ml', kubernetesVersion: '1.35', nodePools: POOLS, environment: 'staging' });
    new PlatformAddons(inside, 'addons', { cluster: imported, deployFromInsideVpc: true });
    expect(postconditions(synth(inside)).map((p) => p.condition)).toEqual(['${self.version == "1.35"}']);
  });

  test('a cluster given by attributes: nothing is looked up', () => {
    const stack = awsStack();
    const cluster = Cluster.fromClusterAttributes(stack, 'cluster', {
      clusterName: 'ml', clusterEndpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', clusterCertificateAuthorityData: 'LS0t',
      kubernetesVersion: '1.35', vpcId: VPC, nodePools: POOLS, environment: 'development',
    });
    new PlatformAddons(stack, 'addons', { cluster, deployFromInsideVpc: true });
    const out = synth(stack);
    expect(out.json.data.aws_eks_cluster).toBeUndefined();
    expect(out.json.provider.kubernetes[0].host).toBe('https://ABC.gr7.us-east-1.eks.amazonaws.com');
    expect(values(out, 'aws-load-balancer-controller').vpcId).toBe(VPC);
  });

  test('a cluster created in the add-ons\' own stack is refused: the providers would point at a cluster of the same apply', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = new Cluster(stack, 'cluster', { name: 'ml', environment: 'production', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'], publicEndpointCidrs: DEPLOYER_CIDRS });
        cluster.addNodePool(NodePools.general());
        new PlatformAddons(stack, 'addons', { cluster });
      },
      'test/addons: cluster ("test/cluster") is created in the same stack as the add-ons, so the Helm and Kubernetes providers would be configured from a cluster that does not exist yet at plan time (intermittent failures, and a cluster replacement breaks planning); put PlatformAddons in a stack of its own (new TerraformStack(app, "<platform>-addons")) and pass platform.cluster: it is read by name there and applied after',
      { stack: awsStack },
    );
  });

  test('a private-only endpoint with a deployer outside the VPC is refused at synth; inside the VPC it is not', () => {
    expectRejectedBeforeSynth(
      (stack) => new PlatformAddons(stack, 'addons', { cluster: platformCluster(stack, 'production', POOLS, { publicEndpointCidrs: undefined }) }),
      'test/addons: cluster ("platform/cluster") has a private API endpoint only, so Helm and the Kubernetes provider, which call it from wherever cdktf deploy runs, would hang until they time out outside the VPC; open the public endpoint to the deployer\'s egress CIDRs (ModelServePlatform cluster: { publicEndpointCidrs: [...] }), or run cdktf deploy from inside the VPC and set deployFromInsideVpc: true',
      { stack: awsStack },
    );
    const stack = awsStack();
    new PlatformAddons(stack, 'addons', { cluster: platformCluster(stack, 'production', POOLS, { publicEndpointCidrs: undefined }), deployFromInsideVpc: true });
    expect(names(synth(stack))).toContain('istiod');
  });

  test('a region while the stack has its provider, or a deployFromInsideVpc that is not a boolean', () => {
    expectRejected({ region: 'eu-west-1' }, 'test/addons: region ("eu-west-1") is given but the stack already has a default AWS provider; drop region, or drop your AwsProvider and let the platform configure it');
    expectRejected({ deployFromInsideVpc: 'yes' as never }, 'test/addons: deployFromInsideVpc ("yes") is not true or false; set deployFromInsideVpc: true or false');
  });

  test('an import with a version the add-ons are not pinned for, or no node pools', () => {
    expectRejectedBeforeSynth(
      (stack) => Cluster.fromClusterName(stack, 'cluster', { clusterName: 'ml', kubernetesVersion: '1.29' as never, nodePools: POOLS }),
      'test/cluster: kubernetesVersion ("1.29") is not a version the add-ons are pinned for; use the cluster\'s version, one of 1.34, 1.35, 1.36',
    );
    expectRejectedBeforeSynth(
      (stack) => Cluster.fromClusterName(stack, 'cluster', { clusterName: 'ml', kubernetesVersion: '1.35', nodePools: [] }),
      'test/cluster: nodePools ([]) is empty; pass the node pool specs the cluster was made with',
    );
    expectRejectedBeforeSynth(
      (stack) => Cluster.fromClusterName(stack, 'cluster', { clusterName: '${var.name}', kubernetesVersion: '1.35', nodePools: POOLS }),
      'test/cluster: clusterName ("${var.name}") is not a literal EKS cluster name (a lookup needs the name at synth); use the name the cluster was created with: 1 to 100 letters, digits, "-" and "_"',
    );
  });
});

describe('PlatformAddons warnings for deliberate risk', () => {
  test('a public gateway is a warning; one open to everyone another; an internal one none', () => {
    const warningsOf = (istio: PlatformAddonsProps['istio']) => {
      const stack = awsStack();
      new PlatformAddons(stack, 'addons', { cluster: platformCluster(stack), istio });
      return riskWarnings(stack).map((w) => w.id);
    };
    expect(warningsOf({ internetFacing: true, sourceCidrs: ['198.51.100.0/24'] })).toEqual(['modelserve:internet-facing-gateway']);
    expect(warningsOf({ internetFacing: true, sourceCidrs: ['0.0.0.0/0'], allowFromAnywhere: true })).toEqual(['modelserve:gateway-open-to-anywhere']);
    expect(warningsOf({ internetFacing: false })).toEqual([]);
  });
});

describe('PlatformAddons: the Vertical Pod Autoscaler, on only when asked', () => {
  test('off by default; on, the pinned vpa chart with the recommender only, in its own namespace after the monitoring CRDs', () => {
    expect(names(build().out)).not.toContain('vpa');
    const { out } = build({ verticalPodAutoscaler: true });
    const r = release(out, 'vpa');
    expect({ repository: r.repository, chart: r.chart, version: r.version }).toEqual(VERTICAL_POD_AUTOSCALER_CHART);
    expect(VERTICAL_POD_AUTOSCALER_CHART).toEqual({ repository: 'https://charts.fairwinds.com/stable', chart: 'vpa', version: '5.0.0' });
    expect(r.namespace).toBe('vpa');
    expect(release(out, 'vpa').depends_on).toEqual(expect.arrayContaining([address(out, 'kube-prometheus-stack')]));
    const v = values(out, 'vpa');
    // Recommendations only: nothing evicts (updater) or rewrites (admission webhook) a model server's pods.
    expect([v.recommender.enabled, v.updater.enabled, v.admissionController.enabled, v['metrics-server'].enabled]).toEqual([true, false, false, false]);
    expect(v.recommender.podMonitor).toEqual({ enabled: true, labels: { release: 'kube-prometheus-stack' } });
  });

  test('every values key is one the chart 5.0.0 reads (Helm ignores the others without a word)', () => {
    const chart = chartDefaults('vpa')!;
    expect(unknownKeys(verticalPodAutoscalerValues({ profile: addonProfile('production'), serviceMonitor: true }), chart)).toEqual([]);
    // The chart's defaults would install the updater and the admission controller: ours must say no.
    const defaults = chart.defaults as { updater: { enabled: boolean }; admissionController: { enabled: boolean } };
    expect([defaults.updater.enabled, defaults.admissionController.enabled]).toEqual([true, true]);
  });

  test('refused without metrics-server, which the recommender reads', () => {
    expectRejected({ verticalPodAutoscaler: true, metricsServer: false }, 'test/addons: verticalPodAutoscaler (true) needs metricsServer: the VPA recommender reads the pods\' CPU and memory from the metrics API; turn metricsServer on, or leave verticalPodAutoscaler off');
  });
});
