/**
 * Every PromQL expression a ModelService emits (alerts, rollout analysis, KEDA triggers) is built
 * here, one function per query, so that a query changes in one place and its tests follow it.
 *
 * Request metrics are Istio's standard metrics from the sidecars (the serving namespace's
 * `istio-sidecars` PodMonitor) and the ingress gateway (ServingNamespace's gateway PodMonitor).
 * `reporter="destination"` series are reported by the model pods' own sidecars: they count every
 * caller, in the mesh or through the gateway, and carry the serving pod's `pod` label.
 * `reporter="source"` series are reported by the callers' proxies: they exist even when the
 * service has no pods, which is what wakes a service scaled to zero.
 * https://istio.io/latest/docs/reference/config/metrics/
 */

/**
 * gRPC status codes that are server errors: the ones the gRPC–HTTP mapping turns into 5xx
 * (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS). A gRPC error
 * travels in an HTTP 200, so `response_code` alone would miss it.
 */
export const GRPC_SERVER_ERROR_CODES: readonly number[] = [2, 4, 12, 13, 14, 15];
/** gRPC NOT_FOUND: how a gRPC API says what a 404 says over HTTP. */
const GRPC_NOT_FOUND = 5;

/** The requests to one service, as its own pods' sidecars report them. */
export function destinationRequests(namespace: string, serviceName: string): string {
  return `reporter="destination", destination_service_name="${serviceName}", destination_service_namespace="${namespace}"`;
}

/** The requests to one service as its callers' proxies report them (the ingress gateway, meshed clients). */
export function sourceRequests(namespace: string, serviceName: string): string {
  return `reporter="source", destination_service_name="${serviceName}", destination_service_namespace="${namespace}"`;
}

/** Pods of Deployments (or Rollouts) by name: `<name>-<template hash>-<5 characters>`. */
export function podsOf(namespace: string, workloadNames: readonly string[]): string {
  return `namespace="${namespace}", pod=~"(${workloadNames.map(escapePromRegex).join('|')})-[a-z0-9]+-[a-z0-9]{5}"`;
}

/**
 * Requests that failed: 5xx, the 4xx statuses with which the server says it has no such model
 * (a broken version answers 404 to everything, which would otherwise pass as the caller's fault),
 * and gRPC server errors (and gRPC NOT_FOUND when 404 means "no model").
 */
export function failedRequestsRate(selector: string, window: string, modelMissingStatusCodes: readonly number[], by?: string): string {
  const codes = ['5..', ...modelMissingStatusCodes.map(String)].join('|');
  const grpc = [...GRPC_SERVER_ERROR_CODES, ...(modelMissingStatusCodes.includes(404) ? [GRPC_NOT_FOUND] : [])].sort((a, b) => a - b).join('|');
  const rate = (matchers: string) => `rate(istio_requests_total{${selector}, ${matchers}}[${window}])`;
  return `sum${groupBy(by)}(${rate(`response_code=~"${codes}"`)} or ${rate(`response_code!~"${codes}", grpc_response_status=~"${grpc}"`)})`;
}

/** Requests per second, every outcome. */
export function requestsRate(selector: string, window: string, by?: string): string {
  return `sum${groupBy(by)}(rate(istio_requests_total{${selector}}[${window}]))`;
}

/** Requests in the window, every outcome. */
export function requestsIncrease(selector: string, window: string, by?: string): string {
  return `sum${groupBy(by)}(increase(istio_requests_total{${selector}}[${window}]))`;
}

/** Share of failed requests, percent. */
export function errorRatePercent(selector: string, window: string, modelMissingStatusCodes: readonly number[], by?: string): string {
  return `${failedRequestsRate(selector, window, modelMissingStatusCodes, by)} / ${requestsRate(selector, window, by)} * 100`;
}

/** A latency quantile, milliseconds, from Istio's request duration histogram. */
export function latencyQuantileMs(quantile: number, selector: string, window: string, by?: string): string {
  const labels = by ? `le, ${by}` : 'le';
  return `histogram_quantile(${quantile}, sum by (${labels}) (rate(istio_request_duration_milliseconds_bucket{${selector}}[${window}])))`;
}

/**
 * Liveness and readiness probes of one container that failed within the window (kubelet's
 * `prober_probe_total`, a counter per pod and container since it started), counted exactly: the
 * counter now minus the counter a window ago, so that failures long past, or a pod's start-up, do
 * not add up to an abort. Not `increase()`: the kubelet creates the `result="failed"` series at the
 * first failure with the value 1, which `increase()` never counts (it needs two samples), and it
 * extrapolates to the window's edges, so 3 failures read as 1.17 and 4 as 2.2. A series born in
 * the window counts from 0 (`or ... * 0`); a kubelet restart that resets it counts as 0, not less.
 */
export function failedProbesIncrease(pods: string, containerName: string, window: string): string {
  const failed = `prober_probe_total{${pods}, container="${containerName}", probe_type=~"Liveness|Readiness", result="failed"}`;
  return `sum(clamp_min(${failed} - (${failed} offset ${window} or ${failed} * 0), 0))`;
}

/** `expr` where there is data, 0 where there is none: a check that has nothing to judge passes. */
export function orZero(expr: string): string {
  return `${expr} or on() vector(0)`;
}

/** `expr` only when at least `min` requests arrived in the window, else 0. */
export function whenEnoughRequests(expr: string, selector: string, window: string, min: number): string {
  return `(${expr} and on() (${requestsIncrease(selector, window)} >= ${min})) or on() vector(0)`;
}

/**
 * KEDA: one track's requests per second, as its own pods' sidecars count them (every caller,
 * through the gateway or in the mesh, however short-lived). KEDA divides by the replica count.
 */
export function trackRequestRate(namespace: string, serviceName: string, workloadName: string, window = '1m'): string {
  return requestsRate(`${destinationRequests(namespace, serviceName)}, ${podsOf(namespace, [workloadName])}`, window);
}

/**
 * KEDA: the wake-up signal of a service scaled to zero. Its pods report nothing while there are
 * none, so the callers' side counts: the ingress gateway (scraped by ServingNamespace's gateway
 * PodMonitor) and meshed clients, which answer 503 while no pod runs. Capped at `threshold`, so
 * that it asks for one pod at most: the destination-side rate sizes the service once it runs.
 */
export function wakeRequestRate(namespace: string, serviceName: string, threshold: number, window = '1m'): string {
  return `clamp_max(${requestsRate(sourceRequests(namespace, serviceName), window)}, ${threshold})`;
}

/** KEDA: GPU utilisation of a track's pods, summed, in pods' worth (divided by the GPUs per pod). */
export function gpuUtilization(pods: string, gpusPerPod: number, mig: boolean): string {
  // MIG instances have no DEV_GPU_UTIL: their graphics-engine activity (a 0-1 ratio) is the equivalent.
  const utilisation = mig ? `DCGM_FI_PROF_GR_ENGINE_ACTIVE{${pods}} * 100` : `DCGM_FI_DEV_GPU_UTIL{${pods}}`;
  return `sum(${utilisation}) / ${gpusPerPod}`;
}

/** KEDA: requests waiting inside the servers of a track, summed. */
export function queueLength(metric: string, pods: string): string {
  return `sum(${metric}{${pods}})`;
}

/** vLLM's requests in the window that got a first token: what its latency quantiles are made of. */
export function vllmRequestsIncrease(timeToFirstToken: string, pods: string, window: string): string {
  return `sum(increase(${timeToFirstToken}_count{${pods}}[${window}]))`;
}

/** A quantile of a vLLM latency histogram (seconds), milliseconds, over the pods. */
export function vllmQuantileMs(histogram: string, quantile: number, pods: string, window: string): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(${histogram}_bucket{${pods}}[${window}]))) * 1000`;
}

/**
 * How much slower the canary is than the stable version, percent (negative when faster), with the
 * stable's value counted as at least `floor`: a few milliseconds over a very fast stable are noise.
 */
export function regressionPercent(canary: string, stable: string, floor: number): string {
  return `(${canary} / clamp_min(${stable}, ${floor}) - 1) * 100`;
}

/** Share of vLLM's finished requests that were aborted (clients that gave up, engine aborts), percent. */
export function abortedPercent(requestSuccess: string, pods: string, window: string): string {
  return `sum(rate(${requestSuccess}{${pods}, finished_reason="abort"}[${window}])) / sum(rate(${requestSuccess}{${pods}}[${window}])) * 100`;
}

/** vLLM's finished requests in the window, every reason. */
export function vllmFinishedIncrease(requestSuccess: string, pods: string, window: string): string {
  return `sum(increase(${requestSuccess}{${pods}}[${window}]))`;
}

/** `expr` when every count reaches `min`, else 0: a check with too few samples to judge passes. */
export function whenEnoughSamples(expr: string, counts: readonly string[], min: number): string {
  return `(${expr}${counts.map((c) => ` and on() (${c} >= ${min})`).join('')}) or on() vector(0)`;
}

/**
 * KEDA: vLLM's KV-cache use over a track's pods, summed, percent (the gauge is a 0-1 share). With
 * tensor parallelism each pod reports one engine, so the sum over pods is one value per replica.
 */
export function kvCacheUtilizationPercent(metric: string, pods: string): string {
  return `sum(${metric}{${pods}}) * 100`;
}

function groupBy(by: string | undefined): string {
  return by ? ` by (${by}) ` : '';
}

/** A name inside a PromQL regex: a regex backslash is itself escaped in a double-quoted string. */
export function escapePromRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`);
}

/**
 * One pipeline's orchestrator metrics (see orchestrator/src/pipeline-metrics.ts): every series
 * carries `pipeline`, and the orchestrator's ServiceMonitor adds `namespace`.
 */
export function pipelineSelector(namespace: string, pipeline: string): string {
  return `namespace="${namespace}", pipeline="${pipeline}"`;
}

/** Runs that finished in the window, over every replica: all of them, or those that ended in `state`. */
export function pipelineRunsFinished(selector: string, window: string, state?: string): string {
  const matchers = state === undefined ? selector : `${selector}, state="${state}"`;
  return `sum by (namespace, pipeline) (increase(modelserve_pipeline_runs_finished_total{${matchers}}[${window}]))`;
}

/** Share of the runs finished in the window that failed, percent. */
export function pipelineRunsFailedPercent(selector: string, window: string): string {
  return `${pipelineRunsFinished(selector, window, 'failed')} / ${pipelineRunsFinished(selector, window)} * 100`;
}

/** Unfinished runs no worker holds: every replica reads the same number from Redis, hence max. */
export function pipelineQueueDepth(selector: string): string {
  return `max by (namespace, pipeline) (modelserve_pipeline_queue_depth{${selector}})`;
}

/** 1 while at least one replica reaches Redis. */
export function pipelineRedisUp(selector: string): string {
  return `max by (namespace, pipeline) (modelserve_pipeline_redis_up{${selector}})`;
}
