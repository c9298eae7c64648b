import childProcess from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { productionStacks } from '../../examples/platform/production';

// `cdktf synth` writes JSON; the terraform binary is needed only to plan and apply, so a CI job
// that synthesizes (or a laptop without Terraform) must not need it. cdktf's own DataResource
// and import blocks validate by running `terraform version` at synth, which fails where Terraform
// is not installed; the library uses neither.
test('the production platform and its add-ons synthesize, validations included, without running terraform', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-no-terraform-'));
  const execSync = jest.spyOn(childProcess, 'execSync').mockImplementation((command: string) => {
    throw new Error(`synth ran "${command}"`);
  });
  try {
    const app = new App({ outdir });
    productionStacks(app);
    app.synth();
    expect(execSync).not.toHaveBeenCalled();
    expect(fs.existsSync(path.join(outdir, 'stacks', 'modelserve-production', 'cdk.tf.json'))).toBe(true);
  } finally {
    execSync.mockRestore();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
