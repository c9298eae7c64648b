/**
 * Synthesis benchmark: `npm run bench`. Each scenario runs in a fresh `node` process so that its
 * wall time includes loading the modules (what a user waits for in `cdktf synth`) and its peak
 * memory is its own, not the sum of the scenarios before it.
 *
 * To add a scenario (e.g. the Kubernetes side's 1 / 10 / 100 / 500 ModelServices), append to
 * SCENARIOS. Import what the scenario needs inside `run`, so that a cdk8s scenario never loads
 * cdktf and the other way round.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Scenario {
  readonly name: string;
  /** Budgets this scenario should stay under. */
  readonly budget: { readonly wallMs: number; readonly peakRssMiB: number };
  /** Builds and synthesizes into `outdir`. */
  readonly run: (outdir: string) => Promise<void>;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'aws: production platform (1 stack, 4 node pools)',
    budget: { wallMs: 1000, peakRssMiB: 200 },
    run: async (outdir) => {
      const { App } = await import('cdktf');
      const { productionStack } = await import('../examples/platform/production');
      const app = new App({ outdir });
      productionStack(app);
      app.synth();
    },
  },
  {
    name: 'aws: examples/platform (production, staging, development)',
    budget: { wallMs: 1500, peakRssMiB: 250 },
    run: async (outdir) => {
      const { App } = await import('cdktf');
      const { productionStack } = await import('../examples/platform/production');
      const { stagingStack } = await import('../examples/platform/staging');
      const { developmentStack } = await import('../examples/platform/development');
      const app = new App({ outdir });
      productionStack(app);
      stagingStack(app);
      developmentStack(app);
      app.synth();
    },
  },
];

interface Measurement {
  readonly inProcessMs: number;
  readonly peakRssMiB: number;
}

/** Child side: run one scenario, print its measurement as one JSON line. */
async function runChild(name: string): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario named ${JSON.stringify(name)}`);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-bench-'));
  try {
    const start = process.hrtime.bigint();
    await scenario.run(outdir);
    const inProcessMs = Number(process.hrtime.bigint() - start) / 1e6;
    // maxRSS is in KiB.
    const measurement: Measurement = { inProcessMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
    process.stdout.write(`${JSON.stringify(measurement)}\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function runParent(strict: boolean): void {
  const rows: string[] = [];
  let overBudget = false;
  for (const scenario of SCENARIOS) {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [__filename, '--scenario', scenario.name], { encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0) {
      process.stderr.write(child.stderr);
      throw new Error(`scenario "${scenario.name}" failed with exit code ${child.status}`);
    }
    const m = JSON.parse(child.stdout.trim().split('\n').pop() as string) as Measurement;
    const ok = wallMs <= scenario.budget.wallMs && m.peakRssMiB <= scenario.budget.peakRssMiB;
    overBudget ||= !ok;
    rows.push([
      scenario.name.padEnd(60),
      `${wallMs.toFixed(0).padStart(6)} ms wall`,
      `${m.inProcessMs.toFixed(0).padStart(6)} ms load+build+synth`,
      `${m.peakRssMiB.toFixed(0).padStart(5)} MiB peak RSS`,
      ok ? 'ok' : `OVER BUDGET (${scenario.budget.wallMs} ms, ${scenario.budget.peakRssMiB} MiB)`,
    ].join('  '));
  }
  process.stdout.write(`node ${process.version}, ${os.cpus().length} CPUs\n${rows.join('\n')}\n`);
  if (strict && overBudget) process.exitCode = 1;
}

const args = process.argv.slice(2);
if (args[0] === '--scenario') {
  runChild(args[1]).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
} else {
  runParent(args.includes('--strict'));
}
