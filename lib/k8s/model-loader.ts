import { PropsValidator } from '../catalog';
import { imageTag } from './image-reference';

/**
 * The init container that copies a model from S3 to the pod's cache volume before the server
 * starts. It runs the AWS CLI v2, whose container credential provider reads EKS Pod Identity
 * (2.15.0 or later: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html);
 * the model servers' own S3 clients are older than that (Triton: aws-sdk-cpp 1.11.60, Pod Identity
 * needs 1.11.263), and the instance role is out of reach (IMDS hop limit 1, network policy).
 *
 * The image is AWS's own (aws/aws-cli `docker/Dockerfile`: Amazon Linux 2023 with the CLI, no
 * USER, entrypoint `aws`): it runs as the pod's non-root user with a read-only root filesystem,
 * `HOME` on /tmp, under Pod Security "restricted".
 */
export const DEFAULT_MODEL_LOADER_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.36.7';
/** The first AWS CLI v2 release whose credential chain reads EKS Pod Identity. */
export const MIN_POD_IDENTITY_AWS_CLI = [2, 15, 0] as const;
export const LOADER_CONTAINER_NAME = 'model-loader';

export interface ModelLoaderOptions {
  /**
   * Image with the AWS CLI v2 (2.15.0 or later) and a POSIX shell, e.g. a mirror of the default
   * in your own registry.
   * @default DEFAULT_MODEL_LOADER_IMAGE
   */
  readonly image?: string;
  /**
   * Start the server even when the model's prefix holds no objects. Off, an empty prefix fails
   * the pod at once with the prefix in its log, rather than a server that starts without a model.
   * @default false
   */
  readonly allowEmpty?: boolean;
}

/**
 * The AWS CLI's configuration for large weights: the CRT transfer client, which splits each file
 * into ranged GETs over many connections and sizes them to the instance's bandwidth, instead of
 * the classic Python client's 10 threads (https://awscli.amazonaws.com/v2/documentation/api/latest/topic/s3-config.html,
 * `preferred_transfer_client`). It does not follow region redirects: the bucket must be in the
 * cluster's region, as the platform's model store is.
 */
export const CRT_TRANSFER_CONFIG = '[default]\ns3 =\n  preferred_transfer_client = crt\n';

/**
 * The loader's shell script: sync the prefix, refuse an empty one. `aws s3 sync` skips files that
 * are already there, so a restarted pod whose volume survived copies nothing twice. With
 * `fastTransfer` (language models' weights) the CLI uses its CRT transfer client.
 */
export function modelLoaderScript(allowEmpty: boolean, fastTransfer = false): string {
  const lines = [
    'set -eu',
    'mkdir -p "$MODEL_DIR" "$MODEL_SCRATCH_DIR"',
    ...(fastTransfer ? [`printf '${CRT_TRANSFER_CONFIG}' > "$HOME/aws-config"`, 'export AWS_CONFIG_FILE="$HOME/aws-config"'] : []),
    'echo "Copying $MODEL_URI to $MODEL_DIR"',
    'aws s3 sync --no-progress --only-show-errors "$MODEL_URI" "$MODEL_DIR"',
  ];
  if (!allowEmpty) {
    lines.push('[ -n "$(ls -A "$MODEL_DIR")" ] || { echo "No objects under $MODEL_URI: upload the model there, or fix model.uri" >&2; exit 1; }');
  }
  lines.push('echo "Model copied to $MODEL_DIR"');
  return lines.join('\n') + '\n';
}

/** The loader's environment, besides the model location the server shares. */
export const MODEL_LOADER_ENV: Readonly<Record<string, string>> = Object.freeze({
  // The CLI caches under $HOME; the root filesystem is read-only.
  HOME: '/tmp',
  // Pod Identity or nothing: never wait on the instance metadata service, which pods cannot reach.
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_RETRY_MODE: 'standard',
  AWS_MAX_ATTEMPTS: '10',
});

/**
 * Checks loader options. An image of the AWS CLI repository with a version tag older than
 * 2.15.0 is refused: its credential chain does not know Pod Identity, so the copy would fail.
 */
export function validateModelLoader(check: PropsValidator, options: ModelLoaderOptions | undefined, field = 'modelLoader'): void {
  if (options === undefined) return;
  check.that(typeof options === 'object' && options !== null, field, options, 'is not an object', `pass { image, allowEmpty } or leave ${field} out`);
  if (options.allowEmpty !== undefined) check.that(typeof options.allowEmpty === 'boolean', `${field}.allowEmpty`, options.allowEmpty, 'is not a boolean', 'pass true or false');
  const image = options.image;
  if (image === undefined) return;
  check.that(typeof image === 'string' && image.length > 0 && !/\s/.test(image), `${field}.image`, image, 'is not an image reference', `give an AWS CLI v2 image, e.g. "${DEFAULT_MODEL_LOADER_IMAGE}"`);
  const repository = image.split('@')[0].replace(/:[^/:]*$/, '');
  const version = /^(\d+)\.(\d+)\.(\d+)$/.exec(imageTag(image) ?? '');
  if (!repository.endsWith('aws-cli') || !version) return;
  const [major, minor, patch] = version.slice(1).map(Number);
  const [minMajor, minMinor, minPatch] = MIN_POD_IDENTITY_AWS_CLI;
  const recent = major > minMajor || (major === minMajor && (minor > minMinor || (minor === minMinor && patch >= minPatch)));
  check.that(
    recent,
    `${field}.image`,
    image,
    `is AWS CLI ${version.slice(1).join('.')}, older than ${MIN_POD_IDENTITY_AWS_CLI.join('.')}, which cannot read EKS Pod Identity credentials (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html)`,
    `use ${DEFAULT_MODEL_LOADER_IMAGE} or a later AWS CLI v2`,
  );
}
