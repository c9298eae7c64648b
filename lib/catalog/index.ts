// First: an app on a Node.js the library does not run on stops with one line.
import './supported-node';
export * from './validation-error';
export * from './kubernetes-names';
export * from './gpu-models';
export * from './gpu-sharing';
export * from './instance-types';
export * from './environments';
export * from './node-pools';
