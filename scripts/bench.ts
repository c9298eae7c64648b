/**
 * Synthesis benchmark: `npm run bench`. Each scenario runs in a fresh `node` process so that its
 * wall time includes loading the modules (what a user waits for in `cdktf synth`) and its peak
 * memory is its own, not the sum of the scenarios before it.
 *
 * To add a scenario, append to SCENARIOS. Import what the scenario needs inside `run`, so that a
 * cdk8s scenario never loads cdktf and the other way round. `--strict` exits 1 when a scenario
 * goes over its budget.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Scenario {
  readonly name: string;
  /** Budgets this scenario should stay under. */
  readonly budget: { readonly wallMs: number; readonly peakRssMiB: number };
  /** ModelServices the scenario synthesizes, for the per-service column. */
  readonly services?: number;
  /** Builds and synthesizes into `outdir`; returns the ms spent after the imports, if it measures them. */
  readonly run: (outdir: string) => Promise<number | void>;
}

/**
 * A production chart with `count` ModelServices in a mix a platform runs: CPU services on an HPA,
 * T4 GPU services on KEDA, and A100 services with a canary (two Deployments each).
 */
function servingScenario(count: number): Scenario {
  return {
    name: `k8s: ${count} ModelService${count === 1 ? '' : 's'} (production chart)`,
    services: count,
    budget: { wallMs: 1000 + 10 * count, peakRssMiB: 200 + count },
    run: async (outdir) => {
      const { App } = await import('cdk8s');
      const k8s = await import('../lib/k8s');
      const { PRODUCTION_NODE_POOLS } = await import('../examples/node-pools');
      const start = process.hrtime.bigint();
      const app = new App({ outdir });
      const chart = new k8s.ServingChart(app, 'serving', { environment: 'production', nodePools: PRODUCTION_NODE_POOLS, modelStoreUri: 's3://bench-models' });
      for (let i = 0; i < count; i++) {
        const model = { id: `model-${i}`, version: '1.0.0' };
        const image = 'nvcr.io/nvidia/tritonserver:24.08-py3';
        if (i % 3 === 0) {
          new k8s.ModelService(chart, `cpu-${i}`, { model, image, resources: { cpu: 2, memoryGiB: 4 }, autoscaling: { minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 70 } });
        } else if (i % 3 === 1) {
          new k8s.ModelService(chart, `t4-${i}`, { model, image, resources: { cpu: 3, memoryGiB: 12, gpu: { count: 1, model: 'T4' } }, autoscaling: { minReplicas: 2, maxReplicas: 4, targetGpuUtilization: 70 } });
        } else {
          new k8s.ModelService(chart, `a100-${i}`, { model, image, resources: { cpu: 8, memoryGiB: 64, gpu: { count: 1, model: 'A100' } }, replicas: 2, rollout: k8s.Rollout.canary({ newVersion: '1.1.0', weight: 10 }) });
        }
      }
      app.synth();
      return Number(process.hrtime.bigint() - start) / 1e6;
    },
  };
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'aws: production platform and add-ons (2 stacks, 6 node pools)',
    budget: { wallMs: 1000, peakRssMiB: 200 },
    run: async (outdir) => {
      const { App } = await import('cdktf');
      const { productionStacks } = await import('../examples/platform/production');
      const app = new App({ outdir });
      productionStacks(app);
      app.synth();
    },
  },
  {
    name: 'aws: examples/platform (production, staging, development)',
    budget: { wallMs: 1500, peakRssMiB: 250 },
    run: async (outdir) => {
      const { App } = await import('cdktf');
      const { productionStacks } = await import('../examples/platform/production');
      const { stagingStacks } = await import('../examples/platform/staging');
      const { developmentStacks } = await import('../examples/platform/development');
      const app = new App({ outdir });
      productionStacks(app);
      stagingStacks(app);
      developmentStacks(app);
      app.synth();
    },
  },
  ...[1, 10, 100, 500].map(servingScenario),
];

interface Measurement {
  readonly inProcessMs: number;
  /** Build and synth only, without loading the modules, where the scenario measures it. */
  readonly workMs?: number;
  readonly peakRssMiB: number;
}

/** Child side: run one scenario, print its measurement as one JSON line. */
async function runChild(name: string): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario named ${JSON.stringify(name)}`);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelserve-bench-'));
  try {
    const start = process.hrtime.bigint();
    const workMs = await scenario.run(outdir);
    const inProcessMs = Number(process.hrtime.bigint() - start) / 1e6;
    // maxRSS is in KiB.
    const measurement: Measurement = { inProcessMs, peakRssMiB: process.resourceUsage().maxRSS / 1024, ...(typeof workMs === 'number' ? { workMs } : {}) };
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
      scenario.services && m.workMs !== undefined ? `${(m.workMs / scenario.services).toFixed(2).padStart(7)} ms/service build+synth` : ''.padStart(32),
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
