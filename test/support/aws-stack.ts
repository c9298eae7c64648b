import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';

/** A stack with an AWS provider, as a user's app would have. */
export function awsStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return stack;
}

export type Json = any;

export interface Synthesized {
  readonly text: string;
  readonly json: Json;
  /** Every resource of a type, by its Terraform name. */
  resources(type: string): Record<string, Json>;
  /** The single resource of a type (fails if there are none or several). */
  only(type: string): Json;
}

export function synth(stack: TerraformStack): Synthesized {
  const text = Testing.synth(stack);
  const json = JSON.parse(text);
  const resources = (type: string): Record<string, Json> => json.resource?.[type] ?? {};
  return {
    text,
    json,
    resources,
    only(type: string) {
      const all = Object.values(resources(type));
      if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
      return all[0];
    },
  };
}

/** A policy document held as a JSON string in a resource attribute. */
export function policyOf(value: string): Json {
  return JSON.parse(value);
}
