import { describeGpuOffer, NodePoolSpec, PropsValidator } from '../catalog';
import { describeVerdicts, placePod } from '../check/placement';
import { MESH_SIDECAR } from './mesh-sidecar';
import { PlanContext, ResourcePlan } from './model-service-plan';
import { ModelServiceProps, SpotUse } from './model-service-props';
import { WARMUP_CONTAINER } from './model-warmup';
import { LlmPlan } from './plan-llm';

/**
 * The pools the pod fits (CPU, memory, GPUs and disk, with the mesh sidecar), checked last: it is
 * the most expensive check and its message is the longest.
 */
export function planPlacement(
  check: PropsValidator,
  props: ModelServiceProps,
  ctx: Pick<PlanContext, 'nodePools' | 'capacity'>,
  pod: ResourcePlan & { readonly diskGiB: number; readonly llm?: LlmPlan },
): { candidatePools: readonly NodePoolSpec[]; spot: SpotUse } {
  const spot = props.placement?.spot ?? 'never';
  check.oneOf('placement.spot', spot, ['never', 'allowed', 'preferred'] as const);
  const gpu = pod.gpu;
  // The sidecar and the warmer are scheduled with the server: the pool must hold all three.
  const warmer = props.warmup ? WARMUP_CONTAINER : { cpu: 0, memoryGiB: 0 };
  const placement = placePod({
    cpu: pod.cpu + MESH_SIDECAR.cpu + warmer.cpu,
    memoryGiB: pod.memoryGiB + MESH_SIDECAR.memoryGiB + warmer.memoryGiB,
    ephemeralStorageGiB: pod.diskGiB,
    gpuCount: gpu?.count,
    gpuModel: gpu?.model,
    gpuShare: gpu?.share,
    spot,
    nodePools: props.placement?.nodePools,
    minGpuMemoryMiB: pod.llm?.minGpuMemoryMiB,
    gpuMemoryReason: pod.llm ? `${pod.llm.model.name} needs` : undefined,
  }, ctx.nodePools, ctx.capacity);
  check.that(placement.unknownPools.length === 0, 'placement.nodePools', props.placement?.nodePools, `names ${placement.unknownPools.join(', ')}, which the chart does not have`, `use pools of the chart: ${ctx.nodePools.map((p) => p.name).join(', ')}`);
  if (placement.candidates.length === 0) {
    const gpuText = gpu ? `, ${gpu.count} × ${gpu.model}${gpu.share ? ` ${describeGpuOffer(gpu.share)}` : ''}` : '';
    const podText = `${pod.cpu + MESH_SIDECAR.cpu} vCPU, ${pod.memoryGiB + MESH_SIDECAR.memoryGiB} GiB${gpuText} with the mesh sidecar, ${round2(pod.diskGiB)} GiB of disk with its images, spot ${spot}`;
    check.fail('resources', props.resources, `fit no node pool (pod: ${podText}): ${describeVerdicts(placement.verdicts)}`, 'shrink the pod, allow other pools in placement, or add a node pool that fits to the chart (and the platform)');
  }
  return { candidatePools: placement.candidates, spot };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
