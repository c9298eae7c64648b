/**
 * The engine-free catalog both sides read: EC2 instance types, GPU models, environment presets,
 * node pool specs, and `ValidationError`. The constructs live behind `modelserve/aws` (cdktf) and
 * `modelserve/k8s` (cdk8s) so that each app loads one engine only.
 *
 * @module modelserve
 */
export * from './catalog';
