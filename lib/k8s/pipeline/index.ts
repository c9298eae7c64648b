export * from './model-pipeline';
export * from './model-pipeline-props';
export * from './pipeline-payloads';
export * from './pipeline-definition';
export * from './pipeline-workflow';
export { ORCHESTRATOR_CONTRACT } from './orchestrator-contract';
export { STEP_EXIT, STEP_PATHS, stepScript } from './step-script';
export { DEFAULT_STEP_IMAGE, DEFAULT_STEP_RETRIES, DEFAULT_STEP_TIMEOUT_SECONDS, STEP_POD_STARTUP_SECONDS } from './plan-model-pipeline';
export type { PipelinePlan, PlannedStep, BatchPlan, OnlinePlan, RedisPlan } from './plan-model-pipeline';
