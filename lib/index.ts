// The `modelserve` entry point: the engine-free catalog and the shared types. The constructs live
// behind `modelserve/aws` (cdktf) and `modelserve/k8s` (cdk8s) so that each app loads one engine only.
export * from './catalog';
