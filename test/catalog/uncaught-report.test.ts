import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { removeStaleCdktfOutput } from '../../lib/catalog/uncaught-report';
import { ValidationError } from '../../lib/catalog';

// The one-line report itself is proven from the outside (scripts/consumer: `node main.js`,
// `cdktf synth` and `cdk8s synth` on a packed install); here, what it deletes and what it leaves.
describe('after a failed cdktf synth, the previous run is not left looking current', () => {
  function previousSynth(): string {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-out-'));
    mkdirSync(join(outdir, 'stacks', 'prod', '.terraform'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'prod', 'cdk.tf.json'), '{}');
    writeFileSync(join(outdir, 'stacks', 'prod', '.terraform.lock.hcl'), '');
    writeFileSync(join(outdir, '..', `${basename(outdir)}-outside.json`), '{}');
    const manifest = {
      version: '0.21.0',
      stacks: {
        prod: { synthesizedStackPath: 'stacks/prod/cdk.tf.json', workingDirectory: 'stacks/prod' },
        escape: { synthesizedStackPath: `../${basename(outdir)}-outside.json` },
      },
    };
    writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest));
    return outdir;
  }

  test('removes the manifest and the stack files it lists; keeps Terraform working files and anything outside the folder', () => {
    const outdir = previousSynth();
    removeStaleCdktfOutput(outdir);
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(false);
    expect(readdirSync(join(outdir, 'stacks', 'prod'), { withFileTypes: false }).sort()).toEqual(['.terraform', '.terraform.lock.hcl']);
    expect(existsSync(join(outdir, '..', `${basename(outdir)}-outside.json`))).toBe(true);
  });

  test('touches nothing without a cdktf output folder, or with a manifest cdktf did not write', () => {
    expect(() => removeStaleCdktfOutput(undefined)).not.toThrow();
    const outdir = previousSynth();
    writeFileSync(join(outdir, 'manifest.json'), 'not json');
    removeStaleCdktfOutput(outdir);
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(true);
    expect(existsSync(join(outdir, 'stacks', 'prod', 'cdk.tf.json'))).toBe(true);
  });
});

describe('under jest', () => {
  test('a ValidationError adds no uncaughtException listener (jest reports errors its own way)', () => {
    const before = process.listenerCount('uncaughtException');
    expect(() => {
      throw new ValidationError('serving/resnet', 'replicas', -1, 'is negative', 'use 0 or more');
    }).toThrow('serving/resnet: replicas (-1) is negative; use 0 or more');
    expect(process.listenerCount('uncaughtException')).toBe(before);
  });
});
