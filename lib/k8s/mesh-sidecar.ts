/**
 * The Istio sidecar's requests and limits, which every ModelService pod sets through Istio's
 * annotations rather than leaving to the mesh's defaults, so that placement counts what the
 * scheduler counts. The requests are Istio's defaults (`global.proxy.resources`); the limits let
 * Envoy burst under load instead of being throttled. With limits above requests the pod's QoS
 * class is Burstable, not Guaranteed: the model server's own container keeps requests equal to
 * limits, so under node pressure it is evicted after pods that use more than they asked for.
 */
export const MESH_SIDECAR = {
  cpu: 0.1,
  memoryGiB: 0.125,
  cpuLimit: 2,
  memoryLimitGiB: 1,
  /** Uncompressed size of the proxyv2 image, GiB. */
  imageGiB: 0.3,
} as const;

/** The pod annotations that give the injected sidecar MESH_SIDECAR's resources. */
export function meshSidecarResourceAnnotations(): Record<string, string> {
  return {
    'sidecar.istio.io/proxyCPU': `${MESH_SIDECAR.cpu * 1000}m`,
    'sidecar.istio.io/proxyCPULimit': `${MESH_SIDECAR.cpuLimit * 1000}m`,
    'sidecar.istio.io/proxyMemory': `${MESH_SIDECAR.memoryGiB * 1024}Mi`,
    'sidecar.istio.io/proxyMemoryLimit': `${MESH_SIDECAR.memoryLimitGiB * 1024}Mi`,
  };
}
