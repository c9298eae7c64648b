import { Construct } from 'constructs';
import { CanaryPause, ModelServer, ModelService, ModelServiceProps, Rollout, ServingChart } from '../../lib/k8s';
import { STAGING_NODE_POOLS } from '../node-pools';

const MODEL_BUCKET = 's3://modelserve-staging-models-123456789012-us-east-1';

/**
 * What every example below shares: a small CPU model (`model.mar` under its prefix) behind
 * TorchServe 0.12.0, its last release: the project is in limited maintenance, with no security
 * fixes. Its 3 GiB image and a 5 GiB cache leave room for four pods on a 50 GiB staging node.
 */
const base = (id: string): ModelServiceProps => ({
  model: { id, version: '1.0.0', uri: `${MODEL_BUCKET}/${id}/{version}/` },
  image: 'pytorch/torchserve:0.12.0-cpu',
  server: ModelServer.torchServe(),
  resources: { cpu: 1, memoryGiB: 4, storageGiB: 5 },
  replicas: 2,
});

/** One short example per rollout strategy, a chaos-test service and a stopped service, in staging. */
export function strategyExamples(scope: Construct): ServingChart {
  const chart = new ServingChart(scope, 'serving-strategies', { environment: 'staging', nodePools: STAGING_NODE_POOLS });

  // Replace pods a quarter at a time, never below the asked-for count.
  new ModelService(chart, 'rolling', { ...base('sentiment'), rollout: Rollout.rollingUpdate({ maxSurge: '25%', maxUnavailable: 0 }) });

  // A model that holds an exclusive lock on its store: stop the old pods first.
  new ModelService(chart, 'recreate', { ...base('ranker'), rollout: Rollout.recreate() });

  // Green runs 1.1.0 beside blue and answers requests with `x-modelserve-color: green`.
  new ModelService(chart, 'blue-green', { ...base('fraud'), rollout: Rollout.blueGreen({ greenVersion: '1.1.0' }) });

  // 20 % of requests to 1.1.0.
  new ModelService(chart, 'canary', { ...base('churn'), rollout: Rollout.canary({ newVersion: '1.1.0', weight: 20 }) });

  // Requests with `x-model-variant: b` reach 1.1.0; the rest stay on 1.0.0.
  new ModelService(chart, 'ab-test', {
    ...base('recommender'),
    rollout: Rollout.abTest({ variantVersion: '1.1.0', match: { header: { name: 'x-model-variant', value: 'b' } } }),
  });

  // 1.1.0 sees a copy of half the requests; only 1.0.0 answers.
  new ModelService(chart, 'shadow', { ...base('forecast'), rollout: Rollout.shadow({ newVersion: '1.1.0', mirrorPercent: 50 }) });

  // Argo Rollouts takes each new model.version to 10 % of requests for 10 minutes, then 50 % until
  // someone runs `kubectl argo rollouts promote progressive`, and rolls back by itself above 5 %
  // errors, 500 ms p99 latency or 3 failed health checks. To release 1.1.0, change the version.
  new ModelService(chart, 'progressive', {
    ...base('spam-filter'),
    rollout: Rollout.progressive({
      steps: [
        { weight: 10, pause: CanaryPause.minutes(10) },
        { weight: 50, pause: CanaryPause.untilPromoted() },
      ],
      analysis: { maxLatencyP99Ms: 500 },
    }),
  });

  // Chaos test: requests carrying `x-chaos-test: true` wait 2 s one time in ten and fail with 503
  // one time in twenty, so the callers' timeouts and retries can be proven; other requests are untouched.
  new ModelService(chart, 'chaos', {
    ...base('intent'),
    faults: { delay: { percent: 10, fixedDelayMs: 2000 }, abort: { percent: 5, httpStatus: 503 }, header: { name: 'x-chaos-test', value: 'true' } },
  });

  // Scaled to zero and answering 503; delete the flag to bring it back as it was.
  new ModelService(chart, 'stopped', { ...base('legacy-tagger'), stopped: true });
  return chart;
}
