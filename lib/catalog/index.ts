export * from './validation-error';
export * from './kubernetes-names';
export * from './gpu-models';
export * from './gpu-sharing';
export * from './instance-types';
export * from './environments';
export * from './node-pools';
export * from './node-launch';
