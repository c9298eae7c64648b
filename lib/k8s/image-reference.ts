import { EnvironmentPreset, PropsValidator } from '../catalog';

/** The tag of an image reference, if it has one; the colon of a registry port is not a tag's. */
export function imageTag(image: string): string | undefined {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1).split('@')[0];
  const colon = lastSegment.indexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
}

/** True when the image names a digest, or a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const tag = imageTag(image);
  return tag !== undefined && tag !== '' && tag !== 'latest';
}

/**
 * An image reference, pinned when the environment requires it: for the model server and for any
 * other pod a construct runs (a pipeline's steps and orchestrator).
 */
export function checkImage(
  check: PropsValidator,
  field: string,
  image: unknown,
  env: { readonly environment: string; readonly preset: EnvironmentPreset },
  example: string,
): void {
  check.that(typeof image === 'string' && image.length > 0 && !/\s/.test(image), field, image, 'is not an image reference', `give a repository with a tag or digest, e.g. "${example}"`);
  if (env.preset.serving.requirePinnedImages) {
    check.that(isPinnedImage(image as string), field, image, `is not pinned, and the ${env.environment} environment requires pinned images so that every pod runs the same build`, 'add a version tag other than "latest" or a digest (@sha256:...)');
  }
}
