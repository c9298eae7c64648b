import { parse } from 'yaml';
import {
  DEFAULT_DEVICE_PLUGIN_CONFIG,
  DEVICE_PLUGIN_CONFIG_MAP,
  devicePluginConfigs,
  GPU_OPERATOR_CHART,
  GPU_OPERATOR_NAMESPACE,
  gpuOperatorValues,
} from '../../../lib/aws/addons/gpu-operator';
import {
  DEVICE_PLUGIN_CONFIG_LABEL,
  GpuSharing,
  MIG_CONFIG_LABEL,
  NodePools,
  NodePoolSpec,
  SHARED_GPU_RESOURCE,
} from '../../../lib/catalog';
import { chartDefaults, unknownKeys } from '../../support/helm-charts';
import { rejectionOf } from '../../support/validation';

const general = NodePools.general();
const shared = NodePools.gpu({ gpu: 'T4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 4 }) });
const sharedL4 = NodePools.gpu({ gpu: 'L4', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 8 }) });
const mig = NodePools.gpu({ gpu: 'A100', sharing: GpuSharing.mig({ profile: '1g.10gb' }) });
const whole = NodePools.gpu({ gpu: 'A10G' });


const values = (pools: readonly NodePoolSpec[] = [general, shared, mig, whole], env: 'development' | 'staging' | 'production' = 'production'): any => gpuOperatorValues(pools, env);

describe('GPU Operator pin', () => {
  test('is an exact release from NVIDIA\'s NGC repository', () => {
    expect(GPU_OPERATOR_CHART).toEqual({ repository: 'https://helm.ngc.nvidia.com/nvidia', chart: 'gpu-operator', version: 'v26.3.3' });
    // NVIDIA publishes chart versions with a leading "v"; still exact semver, never a range.
    expect(GPU_OPERATOR_CHART.version).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(GPU_OPERATOR_NAMESPACE).toBe('gpu-operator');
  });
});

describe('gpuOperatorValues', () => {
  test('leaves the driver and the container toolkit to the EKS NVIDIA AMI', () => {
    const v = values();
    expect(v.driver).toEqual({ enabled: false });
    expect(v.toolkit).toEqual({ enabled: false });
    // operator.defaultRuntime left the chart in v25.3: Helm would ignore it without a word.
    expect(v.operator).not.toHaveProperty('defaultRuntime');
  });

  test('creates one device plugin config per time-sliced pool, keyed by the pool name, plus a default without sharing', () => {
    const config = values([general, shared, sharedL4, whole]).devicePlugin.config;
    expect(config).toMatchObject({ create: true, name: DEVICE_PLUGIN_CONFIG_MAP, default: 'default' });
    expect(Object.keys(config.data).sort()).toEqual(['default', 'gpu-l4-shared', 'gpu-t4-shared']);
    expect(parse(config.data.default)).toEqual({ version: 'v1', flags: { migStrategy: 'single' } });
    expect(parse(config.data['gpu-t4-shared'])).toEqual({
      version: 'v1',
      flags: { migStrategy: 'single' },
      sharing: { timeSlicing: { renameByDefault: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } },
    });
    expect(parse(config.data['gpu-l4-shared']).sharing.timeSlicing.resources).toEqual([{ name: 'nvidia.com/gpu', replicas: 8 }]);
  });

  test('the config names are the values the node pools put in the device plugin label', () => {
    const data = devicePluginConfigs([shared, sharedL4]);
    for (const pool of [shared, sharedL4]) expect(data[pool.labels[DEVICE_PLUGIN_CONFIG_LABEL]]).toBeDefined();
    expect(DEFAULT_DEVICE_PLUGIN_CONFIG).toBe('default');
    // Renamed slots are the resource the Kubernetes side asks for.
    expect(SHARED_GPU_RESOURCE).toBe('nvidia.com/gpu.shared');
  });

  test('MIG: mixed strategy and the MIG manager when a pool uses MIG, and not otherwise', () => {
    const withMig = values();
    expect(withMig.mig).toEqual({ strategy: 'mixed' });
    expect(withMig.migManager).toEqual({ enabled: true });
    expect(parse(withMig.devicePlugin.config.data.default).flags).toEqual({ migStrategy: 'mixed' });
    expect(mig.labels[MIG_CONFIG_LABEL]).toBe('all-1g.10gb');

    const withoutMig = values([general, shared]);
    expect(withoutMig.mig).toEqual({ strategy: 'single' });
    expect(withoutMig.migManager).toEqual({ enabled: false });
  });

  // The operator passes mig.strategy to GPU feature discovery and the device plugin; the device
  // plugin's config file sets its own migStrategy. Disagreeing, the plugin and GFD advertise
  // different resources. The device plugin's "single" falls back to whole GPUs when no GPU has MIG
  // enabled (NVIDIA/k8s-device-plugin, mig-strategy.go), and the ClusterPolicy knows single and mixed.
  test('the operator\'s mig.strategy and every device plugin config\'s migStrategy agree', () => {
    for (const pools of [[general, shared, sharedL4, whole], [general, mig, shared], [general]]) {
      const v = values(pools);
      for (const config of Object.values(v.devicePlugin.config.data as Record<string, string>)) {
        expect(parse(config).flags.migStrategy).toBe(v.mig.strategy);
      }
    }
  });

  test('the DCGM exporter\'s ServiceMonitor keeps the workload\'s namespace, pod and container labels', () => {
    const dcgm = values().dcgmExporter;
    expect(dcgm.enabled).toBe(true);
    expect(dcgm.serviceMonitor).toEqual({ enabled: true, interval: '15s', honorLabels: true });
    expect(values([general, whole], 'development').dcgmExporter.serviceMonitor.interval).toBe('30s');
  });

  test('maps time-sliced slots to their pods only when a pool time-slices', () => {
    expect(values([general, shared]).dcgmExporter.env).toEqual([{ name: 'KUBERNETES_VIRTUAL_GPUS', value: 'true' }]);
    expect(values([general, whole]).dcgmExporter.env).toBeUndefined();
  });

  test('node agents tolerate the GPU taint and NFD runs only on GPU pool nodes', () => {
    const v = values();
    const toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
    expect(v.daemonsets.tolerations).toEqual([toleration]);
    const worker = v['node-feature-discovery'].worker;
    expect(worker.tolerations).toEqual([toleration]);
    expect(worker.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'modelserve.io/gpu-model', operator: 'Exists' }] },
    ]);
    expect(general.labels['modelserve.io/gpu-model']).toBeUndefined();
    expect(shared.labels['modelserve.io/gpu-model']).toBe('T4');
  });

  test('sizes the operator by environment', () => {
    expect(values([whole], 'development').operator.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '350Mi' } });
    expect(values([whole], 'production').operator.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  });

  describe('rejects', () => {
    test('a missing or unknown environment', () => {
      expect(rejectionOf(() => gpuOperatorValues([whole], undefined as never))).toBe('gpuOperatorValues: environment (not set) is required; use one of development, staging, production');
      expect(rejectionOf(() => gpuOperatorValues([whole], 'test' as never, 'platform/addons'))).toBe(
        'platform/addons: environment ("test") is not supported; use one of "development", "staging", "production"',
      );
    });

    test('a time-sliced pool named "default", which would replace the default config', () => {
      const pool = NodePools.gpu({ gpu: 'T4', name: 'default', sharing: GpuSharing.timeSlicing({ replicasPerGpu: 2 }) });
      expect(rejectionOf(() => values([pool]))).toBe(
        'gpuOperatorValues: nodePools[0].name ("default") is the name of the device plugin\'s default config; rename the pool (its name keys its time-slicing config)',
      );
    });

    test('two pools with one name', () => {
      expect(rejectionOf(() => values([shared, { ...whole, name: shared.name }]))).toBe(
        'gpuOperatorValues: nodePools[1].name ("gpu-t4-shared") is used by two pools, so their device plugin configs would collide; give every pool its own name',
      );
    });

    test('a time-sliced pool whose nodes do not name its config', () => {
      const unlabelled: NodePoolSpec = { ...shared, labels: { 'modelserve.io/gpu-model': 'T4' } };
      expect(rejectionOf(() => values([unlabelled]))).toBe(
        'gpuOperatorValues: nodePools[0].labels["nvidia.com/device-plugin.config"] (not set) is not the pool\'s name ("gpu-t4-shared"), so its nodes would run the default config and offer whole GPUs; build the pool with NodePools.gpu({ gpu, sharing }), which sets the label',
      );
    });

    test('slots per GPU out of range', () => {
      const one: NodePoolSpec = { ...shared, gpuSharing: { kind: 'time-slicing', replicasPerGpu: 1 } };
      expect(rejectionOf(() => values([one]))).toBe('gpuOperatorValues: nodePools[0].gpuSharing.replicasPerGpu (1) must be a whole number from 2 to 48; give 2 to 48 slots per GPU');
    });

    test('a MIG pool without the MIG config label, or with a malformed profile', () => {
      const unlabelled: NodePoolSpec = { ...mig, labels: { 'modelserve.io/gpu-model': 'A100' } };
      expect(rejectionOf(() => values([unlabelled]))).toBe(
        'gpuOperatorValues: nodePools[0].labels["nvidia.com/mig.config"] (not set) is not "all-1g.10gb", so the MIG manager would not partition the pool\'s GPUs; build the pool with NodePools.gpu({ gpu, sharing: GpuSharing.mig({ profile }) }), which sets the label',
      );
      const malformed: NodePoolSpec = { ...mig, gpuSharing: { kind: 'mig', profile: '10gb' } };
      expect(rejectionOf(() => values([malformed]))).toBe('gpuOperatorValues: nodePools[0].gpuSharing.profile ("10gb") is not a MIG profile; use a profile such as "1g.10gb" (see MIG_PROFILES)');
    });

    test('sharing on a pool without GPUs', () => {
      const cpu: NodePoolSpec = { ...general, gpuSharing: { kind: 'time-slicing', replicasPerGpu: 4 } };
      expect(rejectionOf(() => values([cpu]))).toBe('gpuOperatorValues: nodePools[0].gpuSharing ("time-slicing") is set on a pool without GPUs; remove gpuSharing, or make the pool with NodePools.gpu');
    });

    test('a GPU pool without the GPU model label that places NFD', () => {
      const bare: NodePoolSpec = { ...whole, labels: {} };
      expect(rejectionOf(() => values([bare]))).toBe(
        'gpuOperatorValues: nodePools[0].labels["modelserve.io/gpu-model"] (not set) is not the pool\'s GPU model (A10G); build GPU pools with NodePools.gpu, which sets it',
      );
    });

    test('node pools that are not a list', () => {
      expect(rejectionOf(() => gpuOperatorValues(undefined as never, 'production'))).toBe(
        'gpuOperatorValues: nodePools (not set) is not a list; pass the platform\'s node pool specs, e.g. [NodePools.general(), NodePools.gpu({ gpu: "T4" })]',
      );
    });
  });
});

// Helm ignores a values key the chart does not have, without a word: every key the values set must
// exist in the chart's own defaults (test/fixtures/README.md names the upstream file and commit).
// chart-values.test.ts checks the example add-ons; this takes every kind of GPU pool.
describe('gpuOperatorValues against the chart v26.3.3 defaults', () => {
  const chart = chartDefaults('gpu-operator')!;

  test('every key is one the chart reads, and operator.defaultRuntime is gone from it', () => {
    // node-feature-discovery is a subchart (0.18.3) whose own defaults are not copied here.
    const given = values([general, shared, mig, whole]);
    expect(given['node-feature-discovery']).toBeDefined();
    expect(chart.subcharts).toEqual(['node-feature-discovery']);
    expect(unknownKeys(given, chart)).toEqual([]);
    expect(chart.defaults.operator).not.toHaveProperty('defaultRuntime');
    expect(chart.defaults.mig).toEqual({ strategy: 'single' });
  });
});
