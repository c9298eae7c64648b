import { NodePools } from '../../../lib/catalog';
import { ClusterProviders } from '../../../lib/aws/addons/cluster-providers';
import { PlatformAddons } from '../../../lib/aws/addons/platform-addons';
import { Cluster } from '../../../lib/aws/cluster';
import { awsStack, expectRejectedBeforeSynth, synth } from '../../support/aws-stack';

describe('ClusterProviders', () => {
  test('of() makes the stack\'s default providers once and hands the same ones back', () => {
    const stack = awsStack();
    const cluster = new Cluster(stack, 'cluster', { name: 'c1', environment: 'development', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'] });
    expect(ClusterProviders.of(stack, cluster)).toBe(ClusterProviders.of(stack, cluster));
    const out = synth(stack);
    expect(out.json.provider.helm).toHaveLength(1);
    expect(out.json.provider.kubernetes).toHaveLength(1);
  });

  test('a second cluster without its own providers is refused, with the way out', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        for (const name of ['one', 'two']) {
          const cluster = Cluster.fromClusterName(stack, name, { clusterName: name, kubernetesVersion: '1.35', nodePools: [NodePools.general()], environment: 'development' });
          new PlatformAddons(stack, `${name}-addons`, { cluster, vpcId: 'vpc-0123456789abcdef0', logging: false, deployFromInsideVpc: true });
        }
      },
      'test/two-addons: cluster ("test/two") is not the cluster the stack\'s Helm and Kubernetes providers already point at (test/one); create a ClusterProviders with an alias for the second cluster and pass it as providers',
      { stack: awsStack },
    );
  });

  test('an alias Terraform would refuse', () => {
    expectRejectedBeforeSynth(
      (stack) => {
        const cluster = new Cluster(stack, 'cluster', { name: 'c1', environment: 'development', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'] });
        new ClusterProviders(stack, 'providers', { cluster, alias: 'Second Cluster' });
      },
      'test/providers: alias ("Second Cluster") is not a valid name: a lowercase letter, then up to 62 lowercase letters, digits, "_" or "-"; rename it so that it follows that rule',
      { stack: awsStack },
    );
  });
});
