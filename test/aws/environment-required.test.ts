// A JavaScript caller (or a cast) can leave out `environment`; every construct that reads a preset
// must say so rather than fail with a TypeError inside.
import { TerraformStack } from 'cdktf';
import { Cache } from '../../lib/aws/cache';
import { Database } from '../../lib/aws/database';
import { ImageRegistry } from '../../lib/aws/image-registry';
import { ModelStore } from '../../lib/aws/model-store';
import { Network } from '../../lib/aws/network';
import { Observability } from '../../lib/aws/observability';
import { StateBackendBootstrap } from '../../lib/aws/state-backend';
import { awsStack, expectRejectedBeforeSynth } from '../support/aws-stack';

const network = { vpcId: 'vpc-00000001', subnetIds: ['subnet-01010101', 'subnet-02020202'], allowedSecurityGroupIds: ['sg-00000001'] };
type Extra = { environment?: string };
const cases: Array<[string, (stack: TerraformStack, extra: Extra) => unknown]> = [
  ['Network', (stack, extra) => new Network(stack, 'c', { ...extra } as never)],
  ['Database', (stack, extra) => new Database(stack, 'c', { identifier: 'db', ...network, ...extra } as never)],
  ['Cache', (stack, extra) => new Cache(stack, 'c', { name: 'cache', ...network, ...extra } as never)],
  ['ModelStore', (stack, extra) => new ModelStore(stack, 'c', { bucketName: 'models-bucket', ...extra } as never)],
  ['ImageRegistry', (stack, extra) => new ImageRegistry(stack, 'c', { repositoryNames: ['triton'], ...extra } as never)],
  ['Observability', (stack, extra) => new Observability(stack, 'c', { name: 'ml', ...extra } as never)],
  ['StateBackendBootstrap', (stack, extra) => new StateBackendBootstrap(stack, 'c', { bucketName: 'state-bucket', ...extra } as never)],
];

test.each(cases)('%s without environment says it is required', (_name, build) => {
  expectRejectedBeforeSynth((stack) => build(stack, {}), 'test/c: environment (not set) is required; use one of development, staging, production', { stack: awsStack });
});

test.each(cases)('%s with an unknown environment names the presets', (_name, build) => {
  expectRejectedBeforeSynth((stack) => build(stack, { environment: 'prod' }), 'test/c: environment ("prod") is not supported; use one of "development", "staging", "production"', { stack: awsStack });
});
