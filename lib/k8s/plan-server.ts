import { EnvironmentPreset, PropsValidator } from '../catalog';
import { checkImage } from './image-reference';
import { DEFAULT_MODEL_LOADER_IMAGE, validateModelLoader } from './model-loader';
import { ModelServer, ModelServerSpec, resolveServerSpec } from './model-server';
import { ModelServiceProps } from './model-service-props';

/** Ports the Istio sidecar takes for itself. */
const SIDECAR_PORTS = [15000, 15001, 15004, 15006, 15008, 15020, 15021, 15090];

/** The server, its image and the loader that fills its model folder, with defaults applied. */
export interface ServerPlan {
  /** The preset with `{modelId}` resolved. */
  readonly server: ModelServerSpec;
  readonly image: string;
  /** Uncompressed size of the server's image, GiB. */
  readonly imageSizeGiB: number;
  readonly loader: { readonly image: string; readonly allowEmpty: boolean };
}

export interface ServerPlanContext {
  readonly modelId: string;
  readonly environment: string;
  readonly preset: EnvironmentPreset;
}

/** Checks the server, image and loader props. Throws a ValidationError on the first problem. */
export function planServer(check: PropsValidator, props: ModelServiceProps, ctx: ServerPlanContext): ServerPlan {
  const serverObj = props.server ?? ModelServer.triton();
  check.that(serverObj instanceof ModelServer, 'server', serverObj, 'is not a ModelServer', 'use ModelServer.triton(), .torchServe(), .tensorflowServing({ modelName }), .vllm() or .custom({ port, healthPath })');
  const spec = serverObj.spec;
  if (spec.name === 'tensorflow-serving') {
    check.that(typeof serverObj.options.modelName === 'string' && /^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(serverObj.options.modelName as string), 'server.modelName', serverObj.options.modelName, 'is not a model name TF Serving accepts', 'use letters, digits, "-", "_" and "."');
  }
  validatePorts(check, spec);
  if (spec.name === 'custom') validateCustomOptions(check, serverObj.options);

  const image = props.image ?? spec.defaultImage;
  check.that(image !== undefined, 'image', image, 'is required for a custom server, which has no default image', 'give the image of your server with a pinned tag, e.g. "registry.example.com/ocr-server:4.1.0"');
  checkImage(check, 'image', image, ctx, spec.defaultImage ?? 'registry.example.com/ocr-server:4.1.0');
  const imageSizeGiB = props.imageSizeGiB ?? spec.imageSizeGiB;
  check.numberInRange('imageSizeGiB', imageSizeGiB, 0.01, 200, 'give the image\'s uncompressed size in GiB (docker image ls shows it), e.g. 15');

  validateModelLoader(check, props.modelLoader, 'modelLoader');
  const loader = { image: props.modelLoader?.image ?? DEFAULT_MODEL_LOADER_IMAGE, allowEmpty: props.modelLoader?.allowEmpty ?? false };
  checkImage(check, 'modelLoader.image', loader.image, ctx, DEFAULT_MODEL_LOADER_IMAGE);
  return { server: resolveServerSpec(spec, ctx.modelId), image: image!, imageSizeGiB, loader };
}

function validatePorts(check: PropsValidator, server: ModelServerSpec): void {
  for (const [field, port] of [['server.port', server.httpPort], ['server.grpcPort', server.grpcPort], ['server.metricsPort', server.metricsPort]] as const) {
    if (port !== undefined || field === 'server.port') {
      check.that(Number.isInteger(port) && port! >= 1024 && port! <= 65535 && !SIDECAR_PORTS.includes(port!), field, port, 'must be a whole number from 1024 to 65535 and not a port the Istio sidecar uses (15000-15090)', 'run the server on an unprivileged port such as 8080');
    }
  }
  check.that(server.grpcPort === undefined || (server.grpcPort !== server.httpPort && server.grpcPort !== server.metricsPort), 'server.grpcPort', server.grpcPort, 'equals the HTTP or metrics port', 'give gRPC its own port');
  for (const [field, path] of [['server.healthPath', server.readinessPath], ['server.livenessPath', server.livenessPath], ['server.metricsPath', server.metricsPath]] as const) {
    check.that(typeof path === 'string' && path.startsWith('/'), field, path, 'must start with "/"', `give an absolute URL path, e.g. "${field === 'server.metricsPath' ? '/metrics' : '/health'}"`);
  }
}

function validateCustomOptions(check: PropsValidator, options: Readonly<Record<string, unknown>>): void {
  const codes = options.modelMissingStatusCodes;
  if (codes !== undefined) {
    check.that(
      Array.isArray(codes) && codes.every((c) => Number.isInteger(c) && (c as number) >= 400 && (c as number) <= 499),
      'server.modelMissingStatusCodes',
      codes,
      'must list 4xx HTTP statuses',
      'list the statuses your server answers when it has no model, e.g. [404] (5xx always count as failures)',
    );
  }
  if (options.imageSizeGiB !== undefined) check.numberInRange('server.imageSizeGiB', options.imageSizeGiB as number, 0.01, 200, 'give the image\'s uncompressed size in GiB');
  if (options.awsCredentials !== undefined) check.that(typeof options.awsCredentials === 'boolean', 'server.awsCredentials', options.awsCredentials, 'is not a boolean', 'pass true (the server calls AWS itself) or leave it out');
}
