/**
 * Environment presets: what changes between development, staging and production. Every construct
 * takes its defaults from one of these; every value can still be overridden by a prop.
 */
export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export interface EnvironmentPreset {
  readonly name: EnvironmentName;
  readonly network: {
    readonly availabilityZones: number;
    /** `single`: one NAT gateway for the VPC; `one-per-az`: an AZ outage leaves the others online. */
    readonly natGateways: 'single' | 'one-per-az';
  };
  readonly database: {
    readonly instanceClass: string;
    readonly allocatedStorageGiB: number;
    readonly maxAllocatedStorageGiB: number;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
    /** Performance Insights retention: 7 days is free, longer is billed. */
    readonly performanceInsightsRetentionDays: number;
  };
  readonly cache: {
    readonly nodeType: string;
    readonly nodeCount: number;
    readonly snapshotRetentionDays: number;
  };
  /** CloudWatch log retention for every log group (cluster, flow logs, workloads). */
  readonly logRetentionDays: number;
  /** Deletion protection and a final snapshot for the stateful stores. */
  readonly protectData: boolean;
  readonly serving: {
    /** Namespace-wide caps (ResourceQuota). */
    readonly quota: { readonly cpu: number; readonly memoryGiB: number; readonly gpus: number; readonly pods: number };
    /** Per-container default request and limit, and the largest limit (LimitRange). */
    readonly containerDefaults: {
      readonly requestCpu: string;
      readonly requestMemory: string;
      readonly limitCpu: string;
      readonly limitMemory: string;
      readonly maxCpu: number;
      readonly maxMemoryGiB: number;
    };
    /** `latest` or an untagged image is an error. */
    readonly requirePinnedImages: boolean;
  };
}

const containerDefaults = { requestCpu: '250m', requestMemory: '512Mi', limitCpu: '1', limitMemory: '2Gi' } as const;

export const ENVIRONMENT_PRESETS: Readonly<Record<EnvironmentName, EnvironmentPreset>> = {
  development: {
    name: 'development',
    network: { availabilityZones: 2, natGateways: 'single' },
    database: { instanceClass: 'db.t4g.medium', allocatedStorageGiB: 20, maxAllocatedStorageGiB: 100, multiAz: false, backupRetentionDays: 1, performanceInsightsRetentionDays: 7 },
    cache: { nodeType: 'cache.t4g.small', nodeCount: 1, snapshotRetentionDays: 1 },
    logRetentionDays: 7,
    protectData: false,
    serving: {
      quota: { cpu: 64, memoryGiB: 256, gpus: 4, pods: 100 },
      containerDefaults: { ...containerDefaults, maxCpu: 32, maxMemoryGiB: 256 },
      requirePinnedImages: false,
    },
  },
  staging: {
    name: 'staging',
    network: { availabilityZones: 3, natGateways: 'single' },
    database: { instanceClass: 'db.r6g.large', allocatedStorageGiB: 50, maxAllocatedStorageGiB: 500, multiAz: false, backupRetentionDays: 7, performanceInsightsRetentionDays: 7 },
    cache: { nodeType: 'cache.r7g.large', nodeCount: 2, snapshotRetentionDays: 3 },
    logRetentionDays: 30,
    protectData: true,
    serving: {
      quota: { cpu: 256, memoryGiB: 1024, gpus: 16, pods: 300 },
      containerDefaults: { ...containerDefaults, maxCpu: 96, maxMemoryGiB: 768 },
      requirePinnedImages: true,
    },
  },
  production: {
    name: 'production',
    network: { availabilityZones: 3, natGateways: 'one-per-az' },
    database: { instanceClass: 'db.r6g.xlarge', allocatedStorageGiB: 100, maxAllocatedStorageGiB: 1000, multiAz: true, backupRetentionDays: 14, performanceInsightsRetentionDays: 7 },
    cache: { nodeType: 'cache.r7g.large', nodeCount: 3, snapshotRetentionDays: 7 },
    logRetentionDays: 90,
    protectData: true,
    serving: {
      quota: { cpu: 2048, memoryGiB: 8192, gpus: 128, pods: 2000 },
      containerDefaults: { ...containerDefaults, maxCpu: 192, maxMemoryGiB: 2048 },
      requirePinnedImages: true,
    },
  },
};

export function isEnvironmentName(value: unknown): value is EnvironmentName {
  return typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value);
}
