import * as fs from 'fs';
import * as path from 'path';
import { Result, run } from './shell';
import { Template } from './templates';

/**
 * The app as `cdktf init --template=typescript` and `cdk8s init typescript-app` lay it out:
 * CommonJS (no `"type": "module"`), `module: commonjs`, `moduleResolution: node10` (which ignores
 * package.json `exports`: modelserve's `typesVersions` is what resolves `modelserve/aws` there).
 * Same sources and config file; node_modules is the shipped app's (one install per template).
 */
export function writeCommonJsVariant(app: string, destination: string, template: Template): void {
  fs.rmSync(destination, { recursive: true, force: true });
  fs.mkdirSync(destination);
  for (const file of fs.readdirSync(app).filter((f) => f.endsWith('.ts') || f === template.config)) {
    fs.copyFileSync(path.join(app, file), path.join(destination, file));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.type;
  fs.writeFileSync(path.join(destination, 'package.json'), JSON.stringify(manifest, null, 2));
  const tsconfig = JSON.parse(fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  tsconfig.compilerOptions = { ...tsconfig.compilerOptions, module: 'commonjs', moduleResolution: 'node10' };
  fs.writeFileSync(path.join(destination, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  fs.symlinkSync(path.join(app, 'node_modules'), path.join(destination, 'node_modules'), 'dir');
}

/** Compiles the app's tsconfig with the given `tsc` (a path to its bin script). */
export function compileVariant(app: string, tsc: string): void {
  run(`node ${tsc} -p tsconfig.json`, { cwd: app });
}

/** Type-checks the app with compiler options changed (nothing emitted). */
export function typeCheckOnly(app: string, tsc: string, options: Record<string, string>, mayFail = false): Result {
  const name = `tsconfig.check-${Object.values(options).join('-')}.json`;
  fs.writeFileSync(path.join(app, name), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { ...options, noEmit: true } }, null, 2));
  return run(`node ${tsc} -p ${name}`, { cwd: app, mayFail });
}
