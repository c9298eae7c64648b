import { Cache } from '../../lib/aws/cache';
import { Cluster } from '../../lib/aws/cluster';
import { Database } from '../../lib/aws/database';
import { ModelServePlatform } from '../../lib/aws/model-serve-platform';
import { Network } from '../../lib/aws/network';
import { NodePools } from '../../lib/catalog';
import { awsStack, expectRejectedBeforeSynth } from '../support/aws-stack';

// Facts the library can know about AWS, checked at synth (field, value, fix; nothing written).

// EC2 resource ids: the kind's prefix and 8 or 17 hexadecimal digits.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
describe('ids of existing resources', () => {
  const databaseBase = { environment: 'development' as const, identifier: 'models', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0a0a0a0a', 'subnet-0b0b0b0b'], allowedSecurityGroupIds: ['sg-0000000a'] };

  test('a subnet id given where a security group id belongs, and an id that is not an id', () => {
    expectRejectedBeforeSynth(
      (stack) => new Database(stack, 'db', { ...databaseBase, allowedSecurityGroupIds: ['subnet-0a0a0a0a'] }),
      'test/db: allowedSecurityGroupIds[0] ("subnet-0a0a0a0a") is the id of a subnet, not of a security group; pass the id of an existing security group, e.g. sg-0123456789abcdef0',
      { stack: awsStack },
    );
    expectRejectedBeforeSynth(
      (stack) => new Database(stack, 'db', { ...databaseBase, vpcId: 'my-vpc' }),
      'test/db: vpcId ("my-vpc") is not the id of a VPC ("vpc-" and 8 or 17 hexadecimal digits); pass the id of an existing VPC, e.g. vpc-0123456789abcdef0',
      { stack: awsStack },
    );
    expectRejectedBeforeSynth(
      (stack) => new Cache(stack, 'cache', { environment: 'development', name: 'models', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0a0a0a0a', 'subnet-0A0A0A0A'], allowedSecurityGroupIds: ['sg-0000000a'] }),
      /^test\/cache: subnetIds\[1\] \("subnet-0A0A0A0A"\) is not the id of a subnet/,
      { stack: awsStack },
    );
  });

  test('a subnet listed twice', () => {
    expectRejectedBeforeSynth(
      (stack) => new Cluster(stack, 'eks', { name: 'models', environment: 'development', subnetIds: ['subnet-0a0a0a0a', 'subnet-0a0a0a0a'] }),
      'test/eks: subnetIds (["subnet-0a0a0a0a","subnet-0a0a0a0a"]) lists "subnet-0a0a0a0a" twice; list each entry once',
    );
  });

  test('an existing VPC given to the platform by ids of the wrong kind', () => {
    const platform = (network: object) => (stack: Parameters<Parameters<typeof expectRejectedBeforeSynth>[0]>[0]) =>
      new ModelServePlatform(stack, 'platform', { name: 'models', environment: 'development', nodePools: [NodePools.general()], network: network as never });
    expectRejectedBeforeSynth(
      platform({ vpcId: 'subnet-0a0a0a0a', privateSubnetIds: ['subnet-0b0b0b0b', 'subnet-0c0c0c0c'], databaseSubnetIds: ['subnet-0d0d0d0d', 'subnet-0e0e0e0e'] }),
      'test/platform: network.vpcId ("subnet-0a0a0a0a") is the id of a subnet, not of a VPC; pass the id of an existing VPC, e.g. vpc-0123456789abcdef0',
      { stack: awsStack },
    );
    expectRejectedBeforeSynth(
      platform({ vpcId: 'vpc-0a0a0a0a', privateSubnetIds: ['subnet-0b0b0b0b', 'subnet-0b0b0b0b'], databaseSubnetIds: ['subnet-0d0d0d0d', 'subnet-0e0e0e0e'] }),
      /^test\/platform: network.privateSubnetIds \(\["subnet-0b0b0b0b","subnet-0b0b0b0b"\]\) lists "subnet-0b0b0b0b" twice/,
      { stack: awsStack },
    );
  });
});

// Tag restrictions: keys of 1 to 128 characters, values of up to 256, letters, digits, spaces and
// _ . : / = + - @, and the "aws:" prefix reserved for AWS.
// https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
describe('tags AWS refuses', () => {
  const network = (tags: Record<string, string>) => (stack: Parameters<Parameters<typeof expectRejectedBeforeSynth>[0]>[0]) => new Network(stack, 'net', { environment: 'development', tags });

  test('a key with the aws: prefix, in any case', () => {
    expectRejectedBeforeSynth(network({ 'aws:team': 'ml' }), 'test/net: tags["aws:team"] ("aws:team") starts with "aws:", which AWS reserves for its own tags; use your own prefix, e.g. "acme:"');
    expectRejectedBeforeSynth(network({ 'AWS:team': 'ml' }), /tags\["AWS:team"\] \("AWS:team"\) starts with "aws:"/);
  });

  test('a key over 128 characters, a value over 256, a character AWS refuses', () => {
    expectRejectedBeforeSynth(network({ ['k'.repeat(129)]: 'v' }), /tags\["k{129}"\] \("k{129}"\) is not a tag key AWS accepts: 1 to 128 characters; shorten the key$/);
    expectRejectedBeforeSynth(network({ team: 'v'.repeat(257) }), /tags\["team"\] \("v{257}"\) is not a tag value AWS accepts: a string of at most 256 characters/);
    expectRejectedBeforeSynth(network({ 'team#1': 'ml' }), /tags\["team#1"\] \("team#1"\) has a character AWS refuses in tag keys/);
  });

  test('keys and values at the limits pass, on the platform as on each construct', () => {
    const stack = awsStack();
    const ok = { ['k'.repeat(128)]: 'v'.repeat(256), 'kubernetes.io/cluster/x': 'shared', 'cost-center': 'ML Platform @ Acme' };
    expect(() => new Network(stack, 'net', { environment: 'development', tags: ok })).not.toThrow();
    expectRejectedBeforeSynth(
      (s) => new ModelServePlatform(s, 'platform', { name: 'models', environment: 'development', nodePools: [NodePools.general()], tags: { 'aws:x': 'y' } }),
      /^test\/platform: tags\["aws:x"\] \("aws:x"\) starts with "aws:"/,
      { stack: awsStack },
    );
  });
});
