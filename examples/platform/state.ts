import { App, LocalBackend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { StateBackendBootstrap } from '../../lib/aws';
import { STATE_BUCKET } from './deployer';

/**
 * The bucket every other stack keeps its state in, deployed once per account before them. Its own
 * state is local: in the project folder (not in cdktf.out, which every synth rewrites), to be kept
 * or committed; it holds no secret.
 */
export function stateStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, 'modelserve-state');
  // Relative to cdktf.out/stacks/modelserve-state: the project folder.
  new LocalBackend(stack, { path: '../../../terraform.modelserve-state.tfstate' });
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new StateBackendBootstrap(stack, 'state', { environment: 'production', bucketName: STATE_BUCKET });
  return stack;
}
