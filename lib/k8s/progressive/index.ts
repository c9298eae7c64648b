export * from './progressive-options';
export * from './analysis-templates';
export * from './progressive-delivery';
