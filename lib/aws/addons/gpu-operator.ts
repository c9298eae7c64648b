import {
  DEVICE_PLUGIN_CONFIG_LABEL,
  EnvironmentName,
  GPU_MODEL_LABEL,
  GPU_RESOURCE,
  GPU_TAINT,
  MAX_TIME_SLICES,
  MIG_CONFIG_LABEL,
  MIG_PROFILE_NAME,
  NodePoolSpec,
  PropsValidator,
} from '../../catalog';
import { validateEnvironment } from '../aws-names';
import { NODE_AGENT_PRIORITY_CLASS } from './addon-priority';
import { HelmChartPin } from './helm-chart-pin';

/**
 * NVIDIA GPU Operator. v26.3.3 is the newest release found on 2026-11-22 (pinned as
 * `helm pull gpu-operator --repo https://helm.ngc.nvidia.com/nvidia --version v26.3.3` in public
 * lock files, and seen upgrading clusters from v26.3.2). NVIDIA publishes its chart versions with
 * the leading "v"; the pin is the version string exactly as published.
 */
export const GPU_OPERATOR_CHART: HelmChartPin = {
  repository: 'https://helm.ngc.nvidia.com/nvidia',
  chart: 'gpu-operator',
  version: 'v26.3.3',
};

export const GPU_OPERATOR_NAMESPACE = 'gpu-operator';

/** ConfigMap the chart creates with one device plugin config per time-sliced pool. */
export const DEVICE_PLUGIN_CONFIG_MAP = 'device-plugin-config';

/**
 * The config of every GPU node without DEVICE_PLUGIN_CONFIG_LABEL: whole GPUs, no sharing (MIG
 * pools too: their instances come from the MIG strategy, not from sharing).
 */
export const DEFAULT_DEVICE_PLUGIN_CONFIG = 'default';

/**
 * The device plugin configs, name → YAML: `default` with no sharing, and one per time-sliced pool,
 * named after the pool (the value of DEVICE_PLUGIN_CONFIG_LABEL that NodePools.gpu puts on its
 * nodes). Each advertises every GPU as `replicasPerGpu` slots renamed to `nvidia.com/gpu.shared`.
 */
export function devicePluginConfigs(nodePools: readonly NodePoolSpec[]): Record<string, string> {
  const flags = `version: v1\nflags:\n  migStrategy: ${gpuMigStrategy(nodePools)}\n`;
  const configs: Record<string, string> = { [DEFAULT_DEVICE_PLUGIN_CONFIG]: flags };
  for (const pool of nodePools) {
    const sharing = pool.gpuSharing;
    if (sharing?.kind !== 'time-slicing') continue;
    configs[pool.name] =
      flags +
      'sharing:\n' +
      '  timeSlicing:\n' +
      // Renamed, so that a pod asking for a whole nvidia.com/gpu never lands on a slot.
      '    renameByDefault: true\n' +
      '    resources:\n' +
      `      - name: ${GPU_RESOURCE}\n` +
      `        replicas: ${sharing.replicasPerGpu}\n`;
  }
  return configs;
}

/**
 * One MIG strategy for the operator (`mig.strategy`, which feeds GPU feature discovery and the
 * device plugin's MIG_STRATEGY) and the device plugin's config files (`flags.migStrategy`), so that
 * the two never disagree: `mixed` when a pool partitions its GPUs (each profile its own
 * `nvidia.com/mig-<profile>` resource), else `single`, which on GPUs without MIG enabled falls back
 * to whole GPUs (k8s-device-plugin, "If no MIG devices are available fallback to none strategy").
 */
export function gpuMigStrategy(nodePools: readonly NodePoolSpec[]): 'mixed' | 'single' {
  return nodePools.some((p) => p.gpuSharing?.kind === 'mig') ? 'mixed' : 'single';
}

function validateGpuPools(v: PropsValidator, nodePools: readonly NodePoolSpec[]): void {
  v.that(Array.isArray(nodePools), 'nodePools', nodePools, 'is not a list', 'pass the platform\'s node pool specs, e.g. [NodePools.general(), NodePools.gpu({ gpu: "T4" })]');
  const seen = new Set<string>();
  nodePools.forEach((pool, i) => {
    const at = `nodePools[${i}]`;
    v.that(typeof pool === 'object' && pool !== null && typeof pool.name === 'string', at, pool, 'is not a node pool spec', 'build it with NodePools.general/gpu/spot/highMemory');
    v.that(!seen.has(pool.name), `${at}.name`, pool.name, 'is used by two pools, so their device plugin configs would collide', 'give every pool its own name');
    seen.add(pool.name);
    const sharing = pool.gpuSharing as { kind?: unknown; replicasPerGpu?: unknown; profile?: unknown } | undefined;
    if (pool.gpuModel === undefined) {
      v.that(sharing === undefined, `${at}.gpuSharing`, sharing?.kind, 'is set on a pool without GPUs', 'remove gpuSharing, or make the pool with NodePools.gpu');
      return;
    }
    // NFD and the device plugin are placed on the GPU pools by this label.
    v.that(pool.labels?.[GPU_MODEL_LABEL] === pool.gpuModel, `${at}.labels["${GPU_MODEL_LABEL}"]`, pool.labels?.[GPU_MODEL_LABEL], `is not the pool's GPU model (${pool.gpuModel})`, 'build GPU pools with NodePools.gpu, which sets it');
    if (sharing === undefined) return;
    if (sharing.kind === 'time-slicing') {
      v.that(pool.name !== DEFAULT_DEVICE_PLUGIN_CONFIG, `${at}.name`, pool.name, `is the name of the device plugin's default config`, 'rename the pool (its name keys its time-slicing config)');
      v.that(sharing.replicasPerGpu !== undefined, `${at}.gpuSharing.replicasPerGpu`, undefined, 'is not set', `give 2 to ${MAX_TIME_SLICES} slots per GPU`);
      v.integerInRange(`${at}.gpuSharing.replicasPerGpu`, sharing.replicasPerGpu as number, 2, MAX_TIME_SLICES, `give 2 to ${MAX_TIME_SLICES} slots per GPU`);
      v.that(
        pool.labels?.[DEVICE_PLUGIN_CONFIG_LABEL] === pool.name,
        `${at}.labels["${DEVICE_PLUGIN_CONFIG_LABEL}"]`,
        pool.labels?.[DEVICE_PLUGIN_CONFIG_LABEL],
        `is not the pool's name ("${pool.name}"), so its nodes would run the default config and offer whole GPUs`,
        'build the pool with NodePools.gpu({ gpu, sharing }), which sets the label',
      );
      return;
    }
    if (sharing.kind === 'mig') {
      v.that(typeof sharing.profile === 'string' && MIG_PROFILE_NAME.test(sharing.profile), `${at}.gpuSharing.profile`, sharing.profile, 'is not a MIG profile', 'use a profile such as "1g.10gb" (see MIG_PROFILES)');
      v.that(
        pool.labels?.[MIG_CONFIG_LABEL] === `all-${sharing.profile}`,
        `${at}.labels["${MIG_CONFIG_LABEL}"]`,
        pool.labels?.[MIG_CONFIG_LABEL],
        `is not "all-${sharing.profile}", so the MIG manager would not partition the pool's GPUs`,
        'build the pool with NodePools.gpu({ gpu, sharing: GpuSharing.mig({ profile }) }), which sets the label',
      );
      return;
    }
    v.fail(`${at}.gpuSharing.kind`, sharing.kind, 'is not a kind of GPU sharing', 'build it with GpuSharing.timeSlicing(...) or GpuSharing.mig(...)');
  });
}

const OPERATOR_RESOURCES: Readonly<Record<EnvironmentName, Record<string, unknown>>> = {
  development: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '350Mi' } },
  staging: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  production: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } },
};

/** DCGM scrape interval: KEDA polls every 15 s, so staging and production match it. */
const DCGM_INTERVAL: Readonly<Record<EnvironmentName, string>> = { development: '30s', staging: '15s', production: '15s' };

/**
 * Values for GPU_OPERATOR_CHART, released in GPU_OPERATOR_NAMESPACE.
 *
 * - EKS's NVIDIA AMIs (AL2023 and Bottlerocket) carry the driver and the container toolkit, so the
 *   operator installs neither: it runs the device plugin, GPU feature discovery, the DCGM exporter
 *   and, when a pool uses MIG, the MIG manager.
 * - Per-pool sharing: the device plugin reads DEVICE_PLUGIN_CONFIG_MAP and picks the config named
 *   by each node's DEVICE_PLUGIN_CONFIG_LABEL (devicePluginConfigs); MIG pools are cut by the MIG
 *   manager from their MIG_CONFIG_LABEL and advertised as `nvidia.com/mig-<profile>` (strategy
 *   mixed).
 * - The DCGM exporter's ServiceMonitor honours the exporter's own `namespace`, `pod` and
 *   `container` labels (the workload using the GPU, not the exporter pod), which is what
 *   ModelService's KEDA query `DCGM_FI_DEV_GPU_UTIL{namespace=..., pod=~...}` selects on. On
 *   time-sliced pools the exporter maps each slot to its pod (KUBERNETES_VIRTUAL_GPUS).
 * - Node agents tolerate the GPU taint; NFD's workers run only on the GPU pools' nodes.
 */
export function gpuOperatorValues(nodePools: readonly NodePoolSpec[], environment: EnvironmentName, path = 'gpuOperatorValues'): Record<string, unknown> {
  const v = new PropsValidator(path);
  validateEnvironment(v, environment);
  validateGpuPools(v, nodePools);

  const anyMig = nodePools.some((p) => p.gpuSharing?.kind === 'mig');
  const anyTimeSlicing = nodePools.some((p) => p.gpuSharing?.kind === 'time-slicing');
  const gpuToleration = { key: GPU_TAINT.key, operator: 'Exists', effect: GPU_TAINT.effect };
  return {
    // No operator.defaultRuntime: the chart dropped it in v25.3 (the operator detects the runtime).
    operator: { resources: OPERATOR_RESOURCES[environment] },
    driver: { enabled: false },
    toolkit: { enabled: false },
    nfd: { enabled: true },
    'node-feature-discovery': {
      worker: {
        tolerations: [gpuToleration],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_MODEL_LABEL, operator: 'Exists' }] }],
            },
          },
        },
      },
    },
    daemonsets: { tolerations: [gpuToleration], priorityClassName: NODE_AGENT_PRIORITY_CLASS },
    devicePlugin: {
      enabled: true,
      config: { create: true, name: DEVICE_PLUGIN_CONFIG_MAP, default: DEFAULT_DEVICE_PLUGIN_CONFIG, data: devicePluginConfigs(nodePools) },
    },
    gfd: { enabled: true },
    mig: { strategy: gpuMigStrategy(nodePools) },
    migManager: { enabled: anyMig },
    dcgmExporter: {
      enabled: true,
      ...(anyTimeSlicing ? { env: [{ name: 'KUBERNETES_VIRTUAL_GPUS', value: 'true' }] } : {}),
      serviceMonitor: { enabled: true, interval: DCGM_INTERVAL[environment], honorLabels: true },
    },
  };
}
