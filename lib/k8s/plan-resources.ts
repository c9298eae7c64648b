import { GPU_MODELS, GpuModel, GpuShare, isGpuModel, MIG_PROFILE_NAME, PropsValidator } from '../catalog';
import { ModelServicePlan, PlanContext, ResourcePlan } from './model-service-plan';
import { ModelServiceProps } from './model-service-props';

/**
 * CPU, memory, GPUs and the model cache of one pod, within the namespace's LimitRange; `llm` gives
 * the GPU count and cache size a known language model needs when the props leave them out.
 */
export function planResources(
  check: PropsValidator,
  props: ModelServiceProps,
  ctx: Pick<PlanContext, 'preset'>,
  llm: { gpuCount?: number; storageGiB?: number } = {},
): ResourcePlan {
  const r = props.resources;
  check.that(typeof r === 'object' && r !== null, 'resources', r, 'is missing', 'pass { cpu, memoryGiB }');
  const limits = ctx.preset.serving.containerDefaults;
  check.that(typeof r.cpu === 'number' && r.cpu >= 0.1 && r.cpu <= limits.maxCpu, 'resources.cpu', r.cpu, `must be from 0.1 to ${limits.maxCpu} cores (the namespace's LimitRange maximum)`, 'request the cores one pod needs, e.g. 2');
  check.that(typeof r.memoryGiB === 'number' && r.memoryGiB >= 0.25 && r.memoryGiB <= limits.maxMemoryGiB, 'resources.memoryGiB', r.memoryGiB, `must be from 0.25 to ${limits.maxMemoryGiB} GiB (the namespace's LimitRange maximum)`, 'request the memory one pod needs, e.g. 8');
  let gpu: ModelServicePlan['gpu'];
  if (r.gpu !== undefined) {
    const g = { ...(r.gpu as { count?: number; model?: unknown }) };
    g.count ??= llm.gpuCount;
    check.that(g.count !== undefined || g.model === undefined, 'resources.gpu.count', g.count, `is not set but resources.gpu.model is ${JSON.stringify(g.model)}`, 'give the number of GPUs per pod, e.g. { count: 1, model: "A100" }');
    check.that(g.model !== undefined, 'resources.gpu.model', g.model, `is not set but resources.gpu.count is ${g.count}`, `name the GPU model the pod needs, one of ${GPU_MODELS.join(', ')}`);
    check.that(isGpuModel(g.model), 'resources.gpu.model', g.model, 'is not a GPU model the platform knows', `use one of ${GPU_MODELS.join(', ')}`);
    const share = validateGpuShare(check, r.gpu.share);
    if (share?.kind === 'time-slicing') {
      check.that(g.count === 1, 'resources.gpu.count', g.count, 'is more than 1 time-sliced slot: slots of one GPU add no compute or memory, and the device plugin refuses such pods', 'request count: 1, or use whole GPUs or a larger MIG profile');
    } else {
      check.integerInRange('resources.gpu.count', g.count, 1, 8, share ? 'request from 1 to 8 MIG instances per pod' : 'request from 1 to 8 GPUs per pod (the most one node has)');
    }
    gpu = { count: g.count!, model: g.model as GpuModel, ...(share ? { share } : {}) };
  }
  const storageGiB = r.storageGiB ?? llm.storageGiB ?? 20;
  check.integerInRange('resources.storageGiB', storageGiB, 1, 2000, 'size the model cache in whole GiB from 1 to 2000');
  check.integerInRange('resources.networkBandwidthMbps', r.networkBandwidthMbps, 1, 400_000, 'give a cap in Mbit/s, e.g. 10000');
  return { cpu: r.cpu, memoryGiB: r.memoryGiB, gpu, storageGiB, networkBandwidthMbps: r.networkBandwidthMbps };
}

/** A GpuShare built by hand (plain JavaScript, JSON config) is checked like one from the factories. */
function validateGpuShare(check: PropsValidator, share: unknown): GpuShare | undefined {
  if (share === undefined) return undefined;
  const s = share as { kind?: unknown; profile?: unknown };
  check.that(s !== null && (s.kind === 'time-slicing' || s.kind === 'mig'), 'resources.gpu.share', share, 'is not a GPU share', "use GpuShare.timeSliced() or GpuShare.mig('1g.10gb')");
  if (s.kind === 'mig') {
    check.that(typeof s.profile === 'string' && MIG_PROFILE_NAME.test(s.profile), 'resources.gpu.share.profile', s.profile, 'is not a MIG profile name', "use the form <compute>g.<memory>gb, e.g. '1g.10gb'");
  }
  return share as GpuShare;
}
