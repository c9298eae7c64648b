// First: an app on a Node.js the library does not run on stops with one line.
import './supported-node';
export * from './validation-error';
export * from './kubernetes-names';
export * from './gpu-models';
export * from './gpu-sharing';
export * from './instance-types';
export * from './environments';
export * from './node-pools';
export * from './capacity';
export * from './eks-names';
export * from './eks-versions';
export * from './regions';
export * from './aws-classes';
export * from './node-launch';
export * from './risk-warnings';
export * from './cost-allocation';
export * from './language-models';
export * from './weight-loading';
