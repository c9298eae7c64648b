import { MESH_SIDECAR } from './mesh-sidecar';

/** Container logs the kubelet keeps on the node, per container, within the ephemeral request. */
export const LOG_HEADROOM_GIB = 1;
/** The loader's own ephemeral request: its logs (the model goes to the shared cache volume). */
export const LOADER_EPHEMERAL_GIB = 1;
/** Uncompressed size of the AWS CLI image the loader runs (Amazon Linux 2023 and the CLI). */
export const LOADER_IMAGE_GIB = 0.5;

/**
 * The model server container's ephemeral-storage request and limit: the model cache, /tmp and
 * its logs. emptyDirs on disk count against it, so it bounds what the pod can write.
 */
export function serverEphemeralGiB(storageGiB: number, tmpGiB: number): number {
  return storageGiB + tmpGiB + LOG_HEADROOM_GIB;
}

/**
 * Node disk one pod takes: its ephemeral request (the server's, which is larger than the loader's
 * and so is what the scheduler counts) and the images it pulls onto the same root volume (the
 * server, the loader, the mesh sidecar), which the scheduler does not count but the disk holds.
 */
export function podDiskGiB(storageGiB: number, tmpGiB: number, serverImageGiB: number): number {
  return serverEphemeralGiB(storageGiB, tmpGiB) + serverImageGiB + LOADER_IMAGE_GIB + MESH_SIDECAR.imageGiB;
}
