import { Testing } from 'cdk8s';
import { ModelPipeline, ModelService, ModelServiceProps, ServingChart } from '../../lib/k8s';
import { rejectionOf } from '../support/validation';
import { chart, CPU_SERVICE, expectServiceRejected, POOLS, synth } from '../support/serving';

// What a JavaScript or JSON caller can pass and TypeScript would refuse.
const untyped = (props: Record<string, unknown>): ModelServiceProps => ({ ...CPU_SERVICE, ...props }) as unknown as ModelServiceProps;

describe('props from untyped callers are checked against the TypeScript types, before anything joins the tree', () => {
  test.each<[string, Record<string, unknown>, string]>([
    // The string 'false' used to read as true: a production service stopped.
    ['the string "false" where a boolean belongs', { stopped: 'false' }, 'serving/svc: stopped ("false") is a string, not true or false; use false without quotes'],
    // A string where a list belongs used to end in a TypeError from inside the library.
    ['a string where a list belongs', { secrets: { envFrom: 'api-keys' } }, 'serving/svc: secrets.envFrom ("api-keys") is a string, not a list; give a list, e.g. ["api-keys"]'],
    ['a string where a list of pools belongs', { placement: { nodePools: 'gpu-t4' } }, 'serving/svc: placement.nodePools ("gpu-t4") is a string, not a list; give a list, e.g. ["gpu-t4"]'],
    // A list where an object belongs used to be replaced by the defaults without a word.
    ['a list where an object belongs', { autoscaling: [] }, 'serving/svc: autoscaling ([]) is a list, not an object (AutoscalingOptions); give an object (AutoscalingOptions)'],
    // Misspelt props used to be ignored.
    ['a misspelt option', { autoscaling: { minReplica: 2, maxReplicas: 4 } }, 'serving/svc: autoscaling.minReplica (2) is not a field of AutoscalingOptions; did you mean minReplicas?'],
    ['a misspelt prop', { replica: 3 }, 'serving/svc: replica (3) is not a ModelService prop; did you mean replicas?'],
    ['a prop that is nothing like one', { colour: 'blue' }, /^serving\/svc: colour \("blue"\) is not a ModelService prop; remove it, or use one of .*\bname, description, model, image\b/.source],
    ['undefined for a required field', { resources: undefined }, 'serving/svc: resources (not set) is missing; pass { cpu, memoryGiB }'],
    // The service's own check used to end in a TypeError (mountPath.startsWith).
    ['a number where a string belongs', { config: { data: { A: 'x' }, mountPath: 5 } }, 'serving/svc: config.mountPath (5) is a number, not a string; quote it: "5"'],
    // An API token mounted into the pods because 'false' is truthy.
    ['the string "false" where a nested boolean belongs', { serviceAccount: { automountToken: 'false' } }, 'serving/svc: serviceAccount.automountToken ("false") is a string, not true or false; use false without quotes'],
    ['Infinity', { drainSeconds: Infinity }, 'serving/svc: drainSeconds (Infinity) must be a whole number from 0 to 300; set drainSeconds between 0 and 300'],
    ['a value outside a union', { inferencePool: 'yes' }, /^serving\/svc: inferencePool \("yes"\) is not true or an options object/.source],
  ])('%s', (_name, props, message) => {
    const c = chart();
    expectServiceRejected(untyped(props), message.startsWith('^') ? new RegExp(message) : message, c);
    expect(c.node.tryFindChild('svc')).toBeUndefined();
  });

  test('null and NaN are refused, by the construct\'s own check where it has one', () => {
    expectServiceRejected(untyped({ model: null }), 'serving/svc: model (null) is missing; pass { id, version }');
    expectServiceRejected(untyped({ replicas: NaN }), 'serving/svc: replicas (NaN) must be a whole number from 0 to 1000; set replicas from 0 to 1000, or use stopped: true to scale to zero');
    expectServiceRejected(untyped({ description: null }), 'serving/svc: description (null) is not a string; describe the model in words');
    expectServiceRejected(untyped({ monitoring: { scrapeOverIstioMtls: null } }), 'serving/svc: monitoring.scrapeOverIstioMtls (null) is null, not true or false; remove it, or give true or false');
    expectServiceRejected(untyped({ autoscaling: { maxReplicas: 4, scaleToZero: NaN } }), 'serving/svc: autoscaling.scaleToZero (NaN) is not a finite number; give true or false');
  });

  test('an object a factory must make is checked by its class', () => {
    expectServiceRejected(untyped({ rollout: { kind: 'canary', newVersion: '1.1.0', weight: 10 } }), /^serving\/svc: rollout \(.*\) is not a Rollout; use Rollout\.rollingUpdate\(\), \.recreate\(\)/);
    expectServiceRejected(untyped({ server: 'triton' }), 'serving/svc: server ("triton") is not a ModelServer; use ModelServer.triton(), .torchServe(), .tensorflowServing({ modelName }), .vllm() or .custom({ port, healthPath })');
  });

  test('a construct\'s own message wins for the field it refuses: its fix knows the domain', () => {
    // Both the types (a number, not a string) and the service refuse these: the service's words.
    expectServiceRejected(untyped({ env: { A: 1 } }), 'serving/svc: env["A"] (1) is not a string; quote numbers and booleans');
    expectServiceRejected(untyped({ image: 42 }), 'serving/svc: image (42) is not an image reference; give a repository with a tag or digest, e.g. "nvcr.io/nvidia/tritonserver:26.07-py3"');
    expectServiceRejected(untyped({ requestTimeoutSeconds: '30' }), 'serving/svc: requestTimeoutSeconds ("30") must be a whole number from 1 to 3600; set requestTimeoutSeconds to whole seconds from 1 to 3600 (60 suits most models)');
  });

  test('a refused service leaves no child, no object and no reserved name: the same id can be used right after', () => {
    const c = chart();
    expect(rejectionOf(() => new ModelService(c, 'svc', untyped({ autoscaling: { minReplica: 2 } })))).toMatch(/did you mean minReplicas\?$/);
    expect(c.node.tryFindChild('svc')).toBeUndefined();
    expect(synth(c).filter((o) => o.kind === 'Deployment')).toEqual([]);
    const service = new ModelService(c, 'svc', CPU_SERVICE);
    expect(service.name).toBe('svc');
  });

  test('props that are not an object', () => {
    expect(rejectionOf(() => new ModelService(chart(), 'svc', undefined as unknown as ModelServiceProps))).toBe('serving/svc: props (not set) are missing; pass { model, resources }');
    expect(rejectionOf(() => new ModelService(chart(), 'svc', [] as unknown as ModelServiceProps))).toMatch(/^serving\/svc: props \(\[\]\) are (missing|a list, not an object); pass \{ model, resources \}$/);
  });

  test('a ServingChart and a ModelPipeline are checked the same way', () => {
    expect(rejectionOf(() => new ServingChart(Testing.app(), 'serving', { environment: 'production', nodePools: POOLS, namspace: 'models' } as never))).toBe(
      'serving: namspace ("models") is not a ServingChart prop; did you mean namespace?',
    );
    const c = chart();
    new ModelService(c, 'ner', CPU_SERVICE);
    expect(rejectionOf(() => new ModelPipeline(c, 'pipe', { stages: [{ service: 'ner', timeoutSecond: 5 }] } as never))).toBe(
      'serving/pipe: stages[0].timeoutSecond (5) is not a field of PipelineStep; did you mean timeoutSeconds?',
    );
  });
});
