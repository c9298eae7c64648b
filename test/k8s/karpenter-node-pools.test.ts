import { Chart, Testing } from 'cdk8s';
import { Capacity, CAPACITY_TYPE_LABEL, GpuSharing, NODE_POOL_LABEL, NodePools, NodePoolSpec, ValidationError } from '../../lib/catalog';
import { KarpenterNodePools, KarpenterNodePoolsProps } from '../../lib/k8s';
import { servingApp } from '../../examples/serving/main';
import { PRODUCTION_CAPACITY, PRODUCTION_NODE_POOLS } from '../../examples/node-pools';
import { schemaFailures } from '../support/schema';
import { K8sObject } from '../support/serving';

const POOLS: readonly NodePoolSpec[] = [
  NodePools.general(),
  NodePools.gpu({ gpu: 'A10G', instanceTypes: ['g5.xlarge', 'g5.2xlarge'] }),
  NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }) }),
  NodePools.spot(),
  NodePools.highMemory({ amiType: 'BOTTLEROCKET_x86_64' }),
];

function synth(props: Partial<KarpenterNodePoolsProps> = {}): K8sObject[] {
  const chart = new KarpenterNodePools(Testing.app(), 'capacity', { clusterName: 'ml-prod', nodePools: POOLS, capacity: Capacity.karpenter(), environment: 'production', team: 'ml-platform', ...props });
  return Testing.synth(chart) as K8sObject[];
}
const out = synth();
const of = (kind: string, name: string): K8sObject => {
  const found = out.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const requirement = (pool: K8sObject, key: string): string[] => pool.spec.template.spec.requirements.find((r: { key: string }) => r.key === key)?.values;

function expectRefused(props: Partial<KarpenterNodePoolsProps>, message: string): void {
  const app = Testing.app();
  let error: unknown;
  try {
    new KarpenterNodePools(app, 'capacity', { clusterName: 'ml-prod', nodePools: POOLS, capacity: Capacity.karpenter(), environment: 'production', team: 'ml-platform', ...props });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as Error).message).toBe(message);
  // Checked before the chart joined the app: nothing to synthesize.
  expect(app.node.children).toEqual([]);
}

describe('KarpenterNodePools', () => {
  test('a NodePool and an EC2NodeClass per pool Karpenter provisions; the controllers\' pool and the GPU-sharing pool stay managed node groups', () => {
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'EC2NodeClass/gpu-a10g', 'NodePool/gpu-a10g', 'EC2NodeClass/spot', 'NodePool/spot', 'EC2NodeClass/high-memory', 'NodePool/high-memory',
    ]);
    for (const pool of out.filter((o) => o.kind === 'NodePool')) {
      expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: pool.metadata.name });
      expect(out.some((o) => o.kind === 'EC2NodeClass' && o.metadata.name === pool.spec.template.spec.nodeClassRef.name)).toBe(true);
    }
  });

  test('valid against Karpenter\'s v1 schemas', () => {
    const result = schemaFailures(out);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(out.length);
  });

  test('nodes carry the spec\'s labels and taints, so the placement proof made on the spec holds', () => {
    const gpu = of('NodePool', 'gpu-a10g');
    const spec = POOLS[1];
    expect(gpu.spec.template.metadata.labels).toEqual(spec.labels);
    expect(gpu.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(requirement(gpu, 'node.kubernetes.io/instance-type')).toEqual(['g5.xlarge', 'g5.2xlarge']);
    expect(requirement(gpu, 'karpenter.sh/capacity-type')).toEqual(['on-demand']);
    expect(of('NodePool', 'high-memory').spec.template.spec.taints).toEqual([{ key: 'modelserve.io/high-memory', value: 'true', effect: 'NoSchedule' }]);
  });

  test('spot pools span families and fall back to on-demand, preferred over on-demand pools', () => {
    const spot = of('NodePool', 'spot');
    const families = new Set(requirement(spot, 'node.kubernetes.io/instance-type').map((t) => t.split('.')[0]));
    expect(families.size).toBeGreaterThanOrEqual(2);
    expect(requirement(spot, 'karpenter.sh/capacity-type')).toEqual(['spot', 'on-demand']);
    expect(spot.spec.weight).toBeGreaterThan(of('NodePool', 'high-memory').spec.weight);
    expect(requirement(synth({ capacity: Capacity.karpenter({ spotFallbackToOnDemand: false }) }).find((o) => o.kind === 'NodePool' && o.metadata.name === 'spot') as K8sObject, 'karpenter.sh/capacity-type')).toEqual(['spot']);
  });

  test('limits of maxSize nodes of the largest type, GPUs included; a GPU node is removed only when empty, one at a time', () => {
    // maxSize 4 of g5.2xlarge (8 vCPUs, 32 GiB, 1 GPU).
    expect(of('NodePool', 'gpu-a10g').spec.limits).toEqual({ cpu: '32', memory: '128Gi', 'nvidia.com/gpu': '4' });
    expect(of('NodePool', 'spot').spec.limits).toEqual({ cpu: '160', memory: '640Gi' });
    expect(of('NodePool', 'gpu-a10g').spec.disruption).toEqual({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '30m', budgets: [{ nodes: '1' }] });
    expect(of('NodePool', 'spot').spec.disruption.consolidationPolicy).toBe('WhenEmptyOrUnderutilized');
    const capped = synth({ capacity: Capacity.karpenter({ limits: { 'gpu-a10g': { gpus: 2 } } }) });
    expect(capped.find((o) => o.kind === 'NodePool' && o.metadata.name === 'gpu-a10g')?.spec.limits['nvidia.com/gpu']).toBe('2');
  });

  test('EC2NodeClass: the platform\'s node role, discovery tags, IMDSv2 with hop limit 1, encrypted gp3, RAID0 on local NVMe', () => {
    const gpu = of('EC2NodeClass', 'gpu-a10g').spec;
    expect(gpu.role).toBe('ml-prod-karpenter-node');
    expect(gpu.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'ml-prod' } }]);
    expect(gpu.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'ml-prod' } }]);
    expect(gpu.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    // One alias for the family: Karpenter takes the NVIDIA variant for GPU instance types
    // (https://karpenter.sh/docs/concepts/nodeclasses/#specamiselectorterms).
    expect(gpu.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
    expect(gpu.blockDeviceMappings).toEqual([{ deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }]);
    expect(gpu.instanceStorePolicy).toBe('RAID0');
    // The cost-allocation tags of the platform's managed nodes: the environment's budget counts them.
    expect(gpu.tags).toEqual({
      'karpenter.sh/discovery': 'ml-prod',
      'modelserve.io/node-pool': 'gpu-a10g',
      'modelserve.io/environment': 'production',
      'modelserve.io/service': 'cluster',
      'modelserve.io/team': 'ml-platform',
    });
    expect(of('EC2NodeClass', 'spot').spec.instanceStorePolicy).toBeUndefined();
    const bottlerocket = of('EC2NodeClass', 'high-memory').spec;
    expect(bottlerocket.amiSelectorTerms).toEqual([{ alias: 'bottlerocket@latest' }]);
    expect(bottlerocket.blockDeviceMappings.map((b: { deviceName: string }) => b.deviceName)).toEqual(['/dev/xvda', '/dev/xvdb']);
    const pinned = synth({ capacity: Capacity.karpenter({ amiVersion: 'v20261120', expireAfterHours: 168 }) });
    expect(pinned.find((o) => o.kind === 'EC2NodeClass')?.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@v20261120' }]);
    expect(pinned.find((o) => o.kind === 'NodePool')?.spec.template.spec.expireAfter).toBe('168h');
  });
});

describe('KarpenterNodePools refuses what could never launch, before joining the app', () => {
  test('a limit below one node, or for a pool Karpenter does not provision', () => {
    expectRefused(
      { capacity: Capacity.karpenter({ limits: { 'gpu-a10g': { cpu: 2 } } }) },
      'capacity: limits.gpu-a10g.cpu (2) is below one node of the pool (4 vCPUs), so Karpenter could never launch it; raise the limit to at least one node, or choose smaller instance types for the pool',
    );
    expectRefused(
      { capacity: Capacity.karpenter({ limits: { general: { cpu: 64 } } }) },
      'capacity: capacity.limits.general ({"cpu":64}) names no pool that Karpenter provisions; use one of gpu-a10g, spot, high-memory',
    );
  });

  test('capacity that is not Karpenter\'s, no pool for Karpenter, a bad cluster name', () => {
    expectRefused({ capacity: Capacity.managedNodeGroups() }, 'capacity: capacity ("managed-node-groups") is not Karpenter capacity, so there is nothing for Karpenter to provision; pass the platform\'s Capacity.karpenter(...), or leave this chart out');
    expectRefused({ nodePools: [NodePools.general()] }, 'capacity: nodePools (["general"]) has no pool for Karpenter: the pools that run the controllers and GPU-sharing pools stay managed node groups; add the GPU, spot or high-memory pools Karpenter should provision');
    expectRefused({ clusterName: 'ml prod' }, 'capacity: clusterName ("ml prod") is not an EKS cluster name; give the name of the platform\'s cluster, e.g. "modelserve-prod"');
    expectRefused({ environment: undefined as never }, 'capacity: environment (not set) is required: Karpenter\'s nodes carry it as the cost-allocation tag the environment\'s budget counts; pass the platform\'s environment, e.g. "production"');
  });

  test('Capacity.karpenter options out of range or unknown', () => {
    expect(() => Capacity.karpenter({ amiVersion: '2026.11' })).toThrow('Capacity.karpenter: amiVersion ("2026.11") is not an AMI release Karpenter\'s alias accepts; use "latest" or a release such as "v20261120"');
    expect(() => Capacity.karpenter({ expireAfterHours: 1 })).toThrow('Capacity.karpenter: expireAfterHours (1) must be a whole number from 24 to 8760; set expireAfterHours between 24 and 8760');
    expect(() => Capacity.karpenter({ limit: {} } as never)).toThrow('Capacity.karpenter: limit ({}) is not an option of Capacity.karpenter; use one of amiVersion, expireAfterHours, spotFallbackToOnDemand, limits');
  });
});

describe('the production example on Karpenter: every service is placeable on the pools the nodes come from', () => {
  const app = servingApp(Testing.app());
  const charts = app.node.children.filter((c): c is Chart => c instanceof Chart);
  const capacity = Testing.synth(charts.find((c) => c.node.id === 'capacity-production') as Chart) as K8sObject[];
  const serving = ['serving-production', 'serving-llm'].flatMap((id) => Testing.synth(charts.find((c) => c.node.id === id) as Chart) as K8sObject[]);
  const karpenterPools = capacity.filter((o) => o.kind === 'NodePool');
  const managedPools = PRODUCTION_CAPACITY.managedPools(PRODUCTION_NODE_POOLS);

  /** What Kubernetes' scheduler (and Karpenter's simulation of it) checks: required affinity and taints. */
  const schedulable = (pod: any, labels: Record<string, string>, taints: { key: string; value: string; effect: string }[]): boolean => {
    const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [{ matchExpressions: [] }];
    const matches = terms.some((t: any) => (t.matchExpressions ?? []).every((e: any) => (e.operator === 'In' ? e.values.includes(labels[e.key]) : e.operator === 'Exists' ? e.key in labels : true)));
    const selector = Object.entries(pod.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
    const tolerated = taints.every((t) => (pod.tolerations ?? []).some((tol: any) => tol.key === t.key && (tol.operator === 'Exists' || tol.value === t.value) && (!tol.effect || tol.effect === t.effect)));
    return matches && selector && tolerated;
  };

  test('Karpenter provisions the T4, A100, L4, H100, spot and high-memory pools; general and the shared T4 stay node groups', () => {
    expect(karpenterPools.map((p) => p.metadata.name)).toEqual(['gpu-t4', 'gpu-a100', 'gpu-l4', 'gpu-h100', 'spot', 'high-memory']);
    expect(managedPools.map((p) => p.name)).toEqual(['general', 'gpu-t4-shared']);
  });

  test('each Deployment\'s pods schedule on a pool, and the GPU models on a Karpenter pool', () => {
    const deployments = serving.filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(3);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const onKarpenter = karpenterPools.filter((p) => schedulable(pod, p.spec.template.metadata.labels, p.spec.template.spec.taints));
      const onManaged = managedPools.filter((p) => schedulable(pod, p.labels, [...p.taints]));
      expect({ deployment: d.metadata.name, pools: onKarpenter.length + onManaged.length > 0 }).toEqual({ deployment: d.metadata.name, pools: true });
      const wholeGpu = pod.containers.some((c: any) => c.resources?.limits?.['nvidia.com/gpu']);
      if (wholeGpu) expect(onKarpenter.map((p) => p.metadata.name)).toEqual([expect.stringMatching(/^gpu-/)]);
    }
  });

  test('a pool the proof would admit is one whose labels the pod selects: no pool is chosen by capacity-type alone', () => {
    for (const pool of karpenterPools) {
      expect(pool.spec.template.metadata.labels[NODE_POOL_LABEL]).toBe(pool.metadata.name);
      expect(pool.spec.template.metadata.labels[CAPACITY_TYPE_LABEL]).toBeDefined();
    }
  });
});
