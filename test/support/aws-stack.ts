import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { ValidationError } from '../../lib/catalog';

/** A stack with an AWS provider, as a user's app would have. */
export function awsStack(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, 'test');
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

export interface RejectOptions {
  /**
   * Makes the stack in the app the helper creates: an AWS provider (`awsStack`) or a backend, as
   * the construct under test needs. Its id starts every construct path in the message.
   * @default - a bare stack named 'test'
   */
  readonly stack?: (app: App) => TerraformStack;
}

/**
 * Builds and synthesizes in a fresh app whose outdir is a new temporary folder, expects a
 * ValidationError with exactly `message` (or matching it, for a RegExp), then proves that no
 * file was written. Without the synth, that last check could not fail: if the props got through,
 * the synth would write Terraform there.
 */
export function expectRejectedBeforeSynth(build: (stack: TerraformStack) => void, message: string | RegExp, options: RejectOptions = {}): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-rejected-'));
  try {
    const app = new App({ outdir });
    const stack = options.stack ? options.stack(app) : new TerraformStack(app, 'test');
    let error: unknown;
    try {
      build(stack);
      app.synth();
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new Error(`expected a ValidationError (${message}), but the build and synth went through`);
    expect(error).toBeInstanceOf(ValidationError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
    // App creates an empty stacks/ folder up front; no file may be in it.
    expect(fs.readdirSync(outdir, { recursive: true }).filter((f) => fs.statSync(path.join(outdir, f.toString())).isFile())).toEqual([]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
