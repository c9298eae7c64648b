import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { CompletedConfig, createFormatter, createParser, DEFAULT_CONFIG, Definition, NodeParser, SchemaGenerator } from 'ts-json-schema-generator';
import { discoverConstructs } from './construct-discovery';
import { ClassFacts, FactoryFormNodeParser, InstanceNodeParser, InstanceTypeFormatter } from './instance-parsers';
import { moveProseDefaults } from './prose-defaults';

/** The spec documents a YAML or JSON file may hold, each published as its own schema. */
const DOCUMENTS = [
  { file: 'model-service.schema.json', type: 'ModelServiceDocument', title: 'modelserve ModelService spec' },
  { file: 'model-pipeline.schema.json', type: 'ModelPipelineDocument', title: 'modelserve ModelPipeline spec' },
] as const;
const ANY_DOCUMENT = { file: 'serving-spec.schema.json', title: 'modelserve spec document (ModelService or ModelPipeline)' };
const PROPS = { file: 'props.schema.json', title: 'modelserve construct props' };
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

type Schema = Record<string, unknown> & { definitions?: Record<string, Definition> };

/**
 * Every schema the package ships, as file name → JSON text, from the TypeScript types alone:
 *
 * - `props.schema.json`: the props type of every construct under lib/ (found from the code), with
 *   `x-constructs` naming each construct's props and `x-classes` each class's factories. The
 *   constructs check their props against it at runtime (lib/catalog/props-check.ts).
 * - `model-service.schema.json`, `model-pipeline.schema.json`, `serving-spec.schema.json`: the
 *   documents of spec files, for editors (`# yaml-language-server: $schema=...`) and for the loader.
 */
export function generateSchemas(repo: string): Map<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { name: string; version: string };
  const baseUrl = `https://unpkg.com/${manifest.name}@${manifest.version}/schemas/`;
  const libFolder = path.join(repo, 'lib') + path.sep;
  const program = createProgram(repo, libFolder);
  const checker = program.getTypeChecker();
  const config: CompletedConfig = { ...DEFAULT_CONFIG, tsProgram: program, expose: 'export', jsDoc: 'extended', skipTypeCheck: true, additionalProperties: false, topRef: true };

  const constructs = discoverConstructs(program, libFolder);
  const classes = new Map<string, ClassFacts>();
  const propsGenerator = new SchemaGenerator(
    program,
    createParser(program, config, (chain) => chain.addNodeParser(new InstanceNodeParser(checker, libFolder, classes))),
    createFormatter(config, (formatter) => formatter.addTypeFormatter(new InstanceTypeFormatter())),
    config,
  );
  const declarations = [...new Set(constructs.flatMap((c) => c.declarations))];
  const propsDefinitions = definitionsOf(propsGenerator.createSchemaFromNodes(declarations) as Schema, declarations);
  const files = new Map<string, string>();
  files.set(PROPS.file, json({
    $schema: DRAFT_07,
    $id: baseUrl + PROPS.file,
    title: PROPS.title,
    description: 'The props of every construct, generated from the TypeScript types. x-constructs names the props of each construct; x-classes the factories of each class a prop takes.',
    'x-constructs': Object.fromEntries(constructs.map((c) => [c.className, {
      ...(c.propsTypes.length === 1 ? { $ref: `#/definitions/${c.propsTypes[0]}` } : { anyOf: c.propsTypes.map((t) => ({ $ref: `#/definitions/${t}` })) }),
      ...(c.optional ? { 'x-optional': true } : {}),
    }])),
    'x-classes': Object.fromEntries([...classes].sort(([a], [b]) => a.localeCompare(b))),
    definitions: sortedByName(propsDefinitions),
  }));

  const specGenerator = new SchemaGenerator(
    program,
    createParser(program, config, (chain) => chain.addNodeParser(new FactoryFormNodeParser(checker, chain as unknown as NodeParser, libFolder))),
    createFormatter(config),
    config,
  );
  const documentNodes = DOCUMENTS.map((d) => findInterface(program, libFolder, d.type));
  const specDefinitions = definitionsOf(specGenerator.createSchemaFromNodes(documentNodes) as Schema, documentNodes);
  for (const document of DOCUMENTS) {
    files.set(document.file, json({ $schema: DRAFT_07, $id: baseUrl + document.file, title: document.title, $ref: `#/definitions/${document.type}`, definitions: reachable(specDefinitions, document.type) }));
  }
  files.set(ANY_DOCUMENT.file, json({
    $schema: DRAFT_07,
    $id: baseUrl + ANY_DOCUMENT.file,
    title: ANY_DOCUMENT.title,
    anyOf: DOCUMENTS.map((d) => ({ $ref: `#/definitions/${d.type}` })),
    definitions: sortedByName(specDefinitions),
  }));
  return files;
}

function createProgram(repo: string, libFolder: string): ts.Program {
  const configFile = ts.getParsedCommandLineOfConfigFile(path.join(repo, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (configFile === undefined) throw new Error('cannot read tsconfig.build.json');
  return ts.createProgram(configFile.fileNames.filter((f) => path.resolve(f).startsWith(libFolder)), configFile.options);
}

function findInterface(program: ts.Program, libFolder: string, name: string): ts.InterfaceDeclaration {
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(libFolder)) continue;
    const found = file.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (found) return found;
  }
  throw new Error(`no interface ${name} under lib/`);
}

/** The generated definitions, prose defaults moved into descriptions; every root must be among them. */
function definitionsOf(schema: Schema, roots: readonly ts.Node[]): Record<string, Definition> {
  const definitions = schema.definitions ?? {};
  for (const root of roots) {
    const name = (root as ts.InterfaceDeclaration).name.text;
    if (definitions[name] === undefined) throw new Error(`${name} is not exported, so it has no definition of its own: export it`);
  }
  return moveProseDefaults(definitions) as Record<string, Definition>;
}

/** The definitions `root` needs, by following `$ref`s. */
function reachable(definitions: Record<string, Definition>, root: string): Record<string, Definition> {
  const wanted = new Set<string>();
  const visit = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const match of JSON.stringify(definitions[name]).matchAll(/"#\/definitions\/([^"]+)"/g)) visit(decodeURIComponent(match[1]));
  };
  visit(root);
  return sortedByName(Object.fromEntries(Object.entries(definitions).filter(([name]) => wanted.has(name))));
}

function sortedByName<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
