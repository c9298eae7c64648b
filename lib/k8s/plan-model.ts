import { isLabelValue, PropsValidator } from '../catalog';
import { PlanContext } from './model-service-plan';
import { ModelServiceProps } from './model-service-props';

/**
 * The model's id and version (pod labels), and where its artefacts are: `model.uri`, or
 * `<chart's modelStoreUri>/<model id>/{version}/`, an S3 URI in which `{version}` is each track's.
 */
export function planModel(
  check: PropsValidator,
  props: ModelServiceProps,
  ctx: Pick<PlanContext, 'modelStoreUri'>,
): { model: ModelServiceProps['model']; uriTemplate: string } {
  const model = props.model;
  check.that(typeof model === 'object' && model !== null, 'model', model, 'is missing', 'pass { id, version }');
  check.that(isLabelValue(model.id), 'model.id', model.id, 'is not a valid label value', 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
  check.that(isLabelValue(model.version), 'model.version', model.version, 'is not a valid label value', 'use a version such as "1.0.0" (letters, digits, "-", "_", ".")');
  check.that(model.uri !== undefined || ctx.modelStoreUri !== undefined, 'model.uri', model.uri, 'is not set and the chart names no model store', 'give the artefacts\' location, e.g. "s3://my-models/resnet/{version}/", or the bucket as the ServingChart\'s modelStoreUri');
  const uriTemplate = model.uri ?? `${ctx.modelStoreUri!.replace(/\/+$/, '')}/${model.id}/{version}/`;
  check.that(typeof uriTemplate === 'string' && /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/.test(uriTemplate), 'model.uri', uriTemplate, 'is not an S3 URI', 'give the model store location, e.g. "s3://my-models/resnet/{version}/"');
  return { model, uriTemplate };
}
