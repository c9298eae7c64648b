import * as fs from 'fs';
import * as path from 'path';
import { fileClaimProblems, parseCheck, readmeBlocks, typescriptBlocks } from '../scripts/consumer/readme-blocks';

// The README is what users paste. Here, the fast half of its check: every ts block says how it is
// checked, and the blocks that show a file are that file. The consumer test (npm run
// test:consumer) compiles every ts block in an installed app and synthesizes the whole apps.
const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README.md', () => {
  test('every ts block carries a check marker', () => {
    expect(() => readmeBlocks(readme)).not.toThrow();
    expect(typescriptBlocks(readmeBlocks(readme)).length).toBeGreaterThan(5);
  });

  test('blocks that show a file, an install line or the CDK Terrain change match it', () => {
    expect(fileClaimProblems(readmeBlocks(readme), root)).toEqual([]);
  });

  test("the first-app section shows every file of both templates but the test and .gitignore", () => {
    const shown = new Set(readmeBlocks(readme).flatMap((b) => b.check?.sameAs ?? []));
    const installs = new Set(readmeBlocks(readme).map((b) => b.check?.install).filter((i) => i !== undefined));
    for (const template of ['templates/infra-app', 'templates/serving-app']) {
      const files = fs.readdirSync(path.join(root, template)).filter((f) => !['main.test.ts', '.gitignore', 'node_modules', 'build'].includes(f));
      expect(files.filter((f) => !shown.has(`${template}/${f}`))).toEqual([]);
      expect(installs.has(template)).toBe(true);
    }
  });

  test('the templates depend on the version of modelserve this repository builds', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const template of ['templates/infra-app', 'templates/serving-app']) {
      const manifest = JSON.parse(fs.readFileSync(path.join(root, template, 'package.json'), 'utf8'));
      expect(`${template}: ${manifest.dependencies.modelserve}`).toBe(`${template}: ${version}`);
    }
  });
});

describe('the README check markers', () => {
  test('an unmarked ts block is refused, not skipped', () => {
    expect(() => readmeBlocks('text\n\n```ts\nconst a = 1;\n```\n')).toThrow('README.md:3: a ts block needs a marker');
  });

  test('a marker names a side and a kind, and only known given names of that side', () => {
    expect(parseCheck('k8s fragment; given chart, props', 1)).toMatchObject({ side: 'k8s', kind: 'fragment', given: ['chart', 'props'] });
    expect(() => parseCheck('k8s fragment; given stack', 7)).toThrow('README.md:7: given "stack" belongs to the aws side');
    expect(() => parseCheck('k8s fragment; given cluster', 7)).toThrow('README.md:7: given "cluster" is not one of');
    expect(() => parseCheck('k8s snippet', 7)).toThrow('README.md:7: "k8s snippet" is not a check');
  });

  test('an install block must list exactly the template packages', () => {
    const block = '<!-- check: install templates/serving-app -->\n```sh\nnpm install modelserve cdk8s\nnpm install -D typescript\n```\n';
    expect(fileClaimProblems(readmeBlocks(block), root)).toEqual([
      expect.stringContaining('installs dependencies cdk8s modelserve; '),
      expect.stringContaining('installs devDependencies typescript; '),
    ]);
  });
});
