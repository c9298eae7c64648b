export * from './karpenter-node-pools';
