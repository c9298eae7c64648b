import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ACKNOWLEDGED_WARNINGS_CONTEXT, riskWarnings, warnRisk, WARNINGS_AS_ERRORS, WARNINGS_AS_ERRORS_CONTEXT } from '../../lib/catalog';
import { Cluster } from '../../lib/aws/cluster';
import { NodePools } from '../../lib/catalog';

const SUBNETS = ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'];

function clusterApp(context: Record<string, unknown> = {}, props: Partial<ConstructorParameters<typeof Cluster>[2]> = {}): { app: App; cluster: Cluster } {
  const app = Testing.app({ context });
  const stack = new TerraformStack(app, 'platform');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const cluster = new Cluster(stack, 'cluster', { name: 'ml', environment: 'production', subnetIds: SUBNETS, publicEndpointCidrs: ['0.0.0.0/0'], allowPublicEndpointFromAnywhere: true, ...props });
  cluster.addManagedNodeGroup(NodePools.general());
  return { app, cluster };
}

describe('risk warnings: deliberate risk is legal, named by a stable id, and can be made fatal', () => {
  const saved = process.env[WARNINGS_AS_ERRORS];
  afterEach(() => {
    if (saved === undefined) delete process.env[WARNINGS_AS_ERRORS];
    else process.env[WARNINGS_AS_ERRORS] = saved;
  });

  test('a public endpoint open to everyone and extended support are warnings, with their ids, and the synth goes through', () => {
    const { app } = clusterApp({}, { supportType: 'EXTENDED' });
    expect(riskWarnings(app).map((w) => [w.id, w.path])).toEqual([
      ['modelserve:public-endpoint-anywhere', 'platform/cluster'],
      ['modelserve:extended-support', 'platform/cluster'],
    ]);
    expect(() => app.synth()).not.toThrow();
  });

  test('a cluster limited to its deployers raises none', () => {
    const { app } = clusterApp({}, { publicEndpointCidrs: ['198.51.100.0/24'], allowPublicEndpointFromAnywhere: false });
    expect(riskWarnings(app)).toEqual([]);
  });

  test('warnings as errors (environment or context) fail the synth, naming the id and how to accept it', () => {
    process.env[WARNINGS_AS_ERRORS] = '1';
    expect(() => clusterApp().app.synth()).toThrow(/platform\/cluster: the Kubernetes API endpoint is open to the whole internet .* \[modelserve:public-endpoint-anywhere\]; warnings are errors here \(MODELSERVE_WARNINGS_AS_ERRORS\): remove the risk, or accept it with the app context modelserve:acknowledgedWarnings: \["modelserve:public-endpoint-anywhere"\]/);
    delete process.env[WARNINGS_AS_ERRORS];
    expect(() => clusterApp({ [WARNINGS_AS_ERRORS_CONTEXT]: true }).app.synth()).toThrow(/\[modelserve:public-endpoint-anywhere\]/);
  });

  test('an acknowledged risk neither prints nor fails', () => {
    process.env[WARNINGS_AS_ERRORS] = 'true';
    const { app } = clusterApp({ [ACKNOWLEDGED_WARNINGS_CONTEXT]: ['modelserve:public-endpoint-anywhere'] });
    expect(() => app.synth()).not.toThrow();
  });

  test('outside tests, a warning prints one line to stderr at synth', () => {
    const env = process.env.NODE_ENV;
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      process.env.NODE_ENV = 'production';
      const root = new Construct(undefined as never, '');
      const thing = new Construct(root, 'thing');
      warnRisk(thing, 'modelserve:example', 'an example risk');
      expect(thing.node.validate()).toEqual([]);
      expect(write).toHaveBeenCalledWith('warning: thing: an example risk [modelserve:example]\n');
    } finally {
      process.env.NODE_ENV = env;
      write.mockRestore();
    }
  });

  test('a cluster without node pools never gets through the synth (a validation: nothing was added)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'platform');
    new Cluster(stack, 'cluster', { name: 'ml', environment: 'production', subnetIds: SUBNETS });
    expect(() => app.synth()).toThrow(/\[platform\/cluster\] has no node pools, so coredns and the EBS CSI controller never schedule and the apply fails; add one with addManagedNodeGroup/);
  });
});
