import { PropsValidator } from '../catalog';

/**
 * Most bytes (UTF-8) of a description. Kubernetes refuses an object whose annotations add up to
 * more than 256 KiB, keys and values (TotalAnnotationSizeLimitB in apimachinery's
 * ValidateAnnotationsSize, https://github.com/kubernetes/apimachinery/blob/master/pkg/api/validation/objectmeta.go),
 * and a client-side `kubectl apply` (Argo CD's default) copies the whole object into the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation: the description counts twice.
 * 64 KiB leaves room for both copies and the rest of the object.
 */
export const MAX_DESCRIPTION_BYTES = 64 * 1024;

/** C0 and C1 control characters, DEL included; tab and line feed are text. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** A description for people, carried in an annotation: a string, not too long, without control characters. */
export function validateDescription(check: PropsValidator, description: unknown, field = 'description'): void {
  if (description === undefined) return;
  check.that(typeof description === 'string', field, description, 'is not a string', 'describe it in words');
  const text = description as string;
  const bytes = Buffer.byteLength(text, 'utf8');
  check.that(
    bytes <= MAX_DESCRIPTION_BYTES,
    field,
    description,
    `is ${bytes} bytes, over the ${MAX_DESCRIPTION_BYTES} a description may have: it becomes an annotation, and Kubernetes refuses objects whose annotations exceed 256 KiB (a client-side apply counts it twice)`,
    'shorten it and link to the model card for the rest',
  );
  const control = CONTROL_CHARACTER.exec(text);
  check.that(
    control === null,
    field,
    description,
    `holds the control character U+${control?.[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${control?.index}, which terminals and UIs that show the annotation would act on`,
    'remove it; line breaks (\\n) and tabs are fine',
  );
}
