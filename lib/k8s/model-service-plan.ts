import { Capacity, EnvironmentPreset, GpuModel, GpuShare, NodePoolSpec } from '../catalog';
import { InferencePoolOptions } from './inference/inference-pool-options';
import { CostAllocation } from './labels';
import { ModelServerSpec } from './model-server';
import { SpotUse } from './model-service-props';
import { WarmupOptions } from './model-warmup';
import { LlmPlan } from './plan-llm';
import { ScalingPlan } from './plan-scaling';
import { ServerPlan } from './plan-server';
import { Rollout, Track } from './rollout';
import { ResolvedLoadBalancer } from './traffic/load-balancer';
import { VllmMetricNames, VllmVersion } from './vllm-engine';

export interface PlannedTrack extends Track {
  readonly deploymentName: string;
  readonly modelUri: string;
  /** The track's replica count with fixed scaling; its autoscaler's floor otherwise. */
  readonly replicas: number;
}

/** Props with every default applied and every check passed: what the constructs are built from. */
export interface ModelServicePlan {
  readonly path: string;
  readonly name: string;
  readonly namespace: string;
  readonly description?: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly image: string;
  /** Uncompressed size of the server's image, GiB. */
  readonly imageSizeGiB: number;
  /** The server preset, `{modelId}` resolved. */
  readonly server: ModelServerSpec;
  /** The init container that copies the model from S3. */
  readonly loader: ServerPlan['loader'];
  readonly rollout: Rollout;
  readonly tracks: readonly PlannedTrack[];
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly gpu?: { readonly count: number; readonly model: GpuModel; readonly share?: GpuShare };
  readonly storageGiB: number;
  readonly networkBandwidthMbps?: number;
  readonly scaling: ScalingPlan;
  readonly loadBalancer: ResolvedLoadBalancer;
  readonly candidatePools: readonly NodePoolSpec[];
  readonly spot: SpotUse;
  readonly stopped: boolean;
  readonly startupTimeoutSeconds: number;
  /**
   * How long a new version may take to get ready pods: a node from the slowest candidate pool,
   * the image pulls, the model copy and the load (see progressDeadlineSeconds).
   */
  readonly progressDeadlineSeconds: number;
  readonly drainSeconds: number;
  /** The mesh's timeout of one request to the service, retries included. */
  readonly requestTimeoutSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsUser: number;
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: boolean;
  readonly environment: string;
  readonly production: boolean;
  /** KV-cache-aware routing through an InferencePool, when asked for. */
  readonly inferencePool?: InferencePoolOptions;
  /** The language model a vLLM service knows (`ModelServer.vllm({ model })`), its fit proven. */
  readonly llm?: LlmPlan;
  /** vLLM's version and the names its metrics have in it, for a vLLM service whose version is known. */
  readonly vllm?: { readonly version?: VllmVersion; readonly metrics?: VllmMetricNames };
  /**
   * Seconds a pod of a language model takes from its start to ready in the worst case: the
   * loader's copy and the server's load. Karpenter leaves it alone that long (do-not-disrupt).
   */
  readonly loadingSeconds?: number;
  /** Requests the warmer sends before the pod reports ready. */
  readonly warmup?: WarmupOptions;
  /** Who pays: the cost-allocation labels of every object and pod. */
  readonly cost: CostAllocation;
  /** The pods' PriorityClass, unless the chart turned priority classes off. */
  readonly priorityClassName?: string;
}

export interface PlanContext {
  /** Construct path of the ModelService, for messages. */
  readonly path: string;
  /** Construct id: the default name. */
  readonly id: string;
  readonly namespace: string;
  readonly environment: string;
  readonly preset: EnvironmentPreset;
  readonly nodePools: readonly NodePoolSpec[];
  /** `s3://<bucket>` of the platform's model store, when the chart knows it. */
  readonly modelStoreUri?: string;
  /** How the platform gets its nodes: decides whether Karpenter stripes a pool's NVMe for the pods' caches. */
  readonly capacity?: Capacity;
  /** The chart's team, for services that name none. */
  readonly team?: string;
  /** Whether pods get the environment's PriorityClasses. @default true */
  readonly priorityClasses?: boolean;
}

/** What one pod asks for, as checked. */
export interface ResourcePlan {
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly gpu?: ModelServicePlan['gpu'];
  readonly storageGiB: number;
  readonly networkBandwidthMbps?: number;
}
