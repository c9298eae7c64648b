import { readdirSync, readFileSync } from 'node:fs';
import { extname, isAbsolute, join, relative } from 'node:path';
import type * as Yaml from 'yaml';
import { closestName } from '../../catalog/did-you-mean';
import { readSchemaFile } from '../../catalog/props-check';
import { definitionRef, formatField, SchemaChecker, SchemaDocument, SchemaProblem } from '../../catalog/schema-check';
import { ValidationError } from '../../catalog/validation-error';
import { ModelService } from '../model-service';
import { ModelPipeline } from '../pipeline/model-pipeline';
import { ServingChart } from '../serving-chart';
import { ModelPipelineDocument, ModelServiceDocument } from './spec-documents';
import { SpecError, SpecProblem } from './spec-error';
import { instantiate } from './spec-factories';
import { fieldSegments, locate, PositionedDocument, sourceText } from './spec-positions';

const SPEC_EXTENSIONS = ['.yaml', '.yml', '.json'];
/** The schema of each kind of document (serving-spec.schema.json's definitions). */
const KINDS = { ModelService: 'ModelServiceDocument', ModelPipeline: 'ModelPipelineDocument' } as const;
type Kind = keyof typeof KINDS;

/** One document of a spec file, as parsed. */
export interface SpecDocument {
  /** The file it is in, as messages name it. */
  readonly file: string;
  /** 1-based line where the document starts. */
  readonly line: number;
  /** `kind` as written (checked when the document is added to a chart). */
  readonly kind: unknown;
  /** `name` as written. */
  readonly name: unknown;
  /** The document as plain data. */
  readonly value: unknown;
}

/** What `addTo` created, in the order of the files. */
export interface SpecConstructs {
  /** One per `kind: ModelService` document. */
  readonly services: readonly ModelService[];
  /** One per `kind: ModelPipeline` document. */
  readonly pipelines: readonly ModelPipeline[];
}

interface ParsedDocument extends SpecDocument {
  readonly at: PositionedDocument;
}

/**
 * Services and pipelines written as YAML or JSON files (the deployment form a model owner fills
 * in), turned into the same constructs as TypeScript would make:
 *
 * ```ts
 * ServingSpecs.fromDirectory('specs').addTo(new ServingChart(app, 'serving', { environment, nodePools }));
 * ```
 *
 * A file holds one or more documents (`---` between YAML documents, or a JSON list), each
 * `kind: ModelService` or `kind: ModelPipeline` with a `name` and the construct's props. The JSON
 * Schemas of schemas/ describe them for editors (`# yaml-language-server: $schema=...`). Every
 * mistake of every file is reported at once, one line each, with its file, line and column.
 */
export class ServingSpecs {
  /** Every `.yaml`, `.yml` and `.json` file of `directory` (not of its subfolders), in name order. */
  public static fromDirectory(directory: string): ServingSpecs {
    const files = readdirSync(directory).filter((f) => SPEC_EXTENSIONS.includes(extname(f).toLowerCase())).sort();
    return ServingSpecs.fromFiles(files.map((f) => join(directory, f)));
  }

  /** These files, in this order. */
  public static fromFiles(files: readonly string[]): ServingSpecs {
    return new ServingSpecs(files.map((file) => ({ file: displayPath(file), text: readFileSync(file, 'utf8') })));
  }

  /** The text of one file (YAML or JSON); `file` is the name messages give it. */
  public static fromText(text: string, file: string): ServingSpecs {
    return new ServingSpecs([{ file, text }]);
  }

  /** The files, in the order given. */
  public readonly files: readonly string[];
  /** The documents that parsed, in file order. */
  public readonly documents: readonly SpecDocument[];
  /** Syntax errors, reported by `addTo` with every other mistake. */
  public readonly syntaxProblems: readonly SpecProblem[];
  private readonly parsed: readonly ParsedDocument[];

  private constructor(files: ReadonlyArray<{ file: string; text: string }>) {
    const yaml = loadYaml();
    const parsed: ParsedDocument[] = [];
    const problems: SpecProblem[] = [];
    for (const { file, text } of files) parsed.push(...parseFile(yaml, file, text, problems));
    this.files = files.map((f) => f.file);
    this.syntaxProblems = problems;
    this.parsed = parsed;
    this.documents = parsed.map(({ at: _at, ...document }) => document);
  }

  /**
   * Creates every ModelService, then every ModelPipeline (whose steps name services), as children
   * of `chart` named after their `name`. Every document is checked against its schema, then by its
   * construct; if any has a mistake, nothing of the files stays in the chart and a SpecError lists
   * each mistake.
   */
  public addTo(chart: ServingChart): SpecConstructs {
    const yaml = loadYaml();
    const schema = readSchemaFile<SchemaDocument>('serving-spec.schema.json');
    const checker = new SchemaChecker(schema);
    const problems: SpecProblem[] = [...this.syntaxProblems];
    const checked = this.parsed.map((d) => ({ document: d, kind: checkDocument(yaml, checker, chart, d, problems) }));
    const services: ModelService[] = [];
    const failed = new Set<unknown>(checked.filter((c) => c.kind === undefined).map((c) => c.document.name));
    for (const { document } of checked.filter((c) => c.kind === 'ModelService')) {
      const service = build(yaml, document, problems, (id, props) => new ModelService(chart, id, props as ModelServiceDocument), checker);
      if (service) services.push(service);
      else failed.add(document.name);
    }
    const pipelines: ModelPipeline[] = [];
    for (const { document } of checked.filter((c) => c.kind === 'ModelPipeline')) {
      // A pipeline whose service was refused would only repeat that mistake.
      if (servicesNamed(document.value).some((s) => failed.has(s))) continue;
      const pipeline = build(yaml, document, problems, (id, props) => new ModelPipeline(chart, id, props as ModelPipelineDocument), checker);
      if (pipeline) pipelines.push(pipeline);
    }
    if (problems.length > 0) {
      for (const c of [...pipelines, ...services]) chart.node.tryRemoveChild(c.node.id);
      throw new SpecError(inFileOrder(problems, this.files));
    }
    return { services, pipelines };
  }
}

// Loaded on first use: the yaml package is not needed by apps without spec files.
function loadYaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof Yaml;
}

function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}

/** The documents of one file; a syntax error becomes a problem at its place. */
function parseFile(yaml: typeof Yaml, file: string, text: string, problems: SpecProblem[]): ParsedDocument[] {
  const lineCounter = new yaml.LineCounter();
  const documents = yaml.parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const parsed: ParsedDocument[] = [];
  for (const document of 'empty' in documents ? [] : documents) {
    for (const error of document.errors) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      problems.push({ file, line, column: col, field: '', message: `${error.message.split('\n')[0]}; fix the ${extname(file) === '.json' ? 'JSON' : 'YAML'} syntax` });
    }
    const value = document.errors.length === 0 ? (document.toJS() as unknown) : null;
    // An empty document (`---` with nothing after it) holds nothing to create.
    if (value === null || value === undefined) continue;
    const at = { file, document, lineCounter, node: document.contents as Yaml.Node };
    // A top-level list holds several documents (the way a JSON file does).
    const contents = document.contents;
    const items = Array.isArray(value) && yaml.isSeq(contents)
      ? value.map((v, i) => ({ v, node: contents.items[i] as Yaml.Node }))
      : [{ v: value, node: at.node }];
    for (const { v, node } of items) {
      const record = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
      const line = lineCounter.linePos(node?.range?.[0] ?? 0).line;
      parsed.push({ file, line, kind: record.kind, name: record.name, value: v, at: { ...at, node } });
    }
  }
  return parsed;
}

/** The document's kind if its schema accepts it; its problems otherwise. */
function checkDocument(yaml: typeof Yaml, checker: SchemaChecker, chart: ServingChart, d: ParsedDocument, problems: SpecProblem[]): Kind | undefined {
  const path = constructPath(chart, d);
  const kinds = Object.keys(KINDS) as Kind[];
  if (typeof d.value !== 'object' || d.value === null || Array.isArray(d.value) || !kinds.includes(d.kind as Kind)) {
    const located = locate(yaml, d.at, typeof d.value === 'object' && d.value !== null && 'kind' in d.value ? ['kind'] : []);
    const meant = typeof d.kind === 'string' ? closestName(d.kind, kinds) : undefined;
    const fix = meant !== undefined ? `did you mean ${meant}?` : `start the document with kind: ${kinds.join(' or kind: ')}`;
    problems.push({ ...located, field: 'kind', message: new ValidationError(path, 'kind', d.kind, d.kind === undefined ? 'is missing' : 'is not a kind of spec document', fix).message });
    return undefined;
  }
  const kind = d.kind as Kind;
  const found = checker.problems(definitionRef(KINDS[kind]), d.value, { rootNoun: `a field of a ${kind}` });
  for (const p of found) problems.push(schemaProblem(yaml, path, d, p));
  return found.length === 0 ? kind : undefined;
}

/** Builds a checked document's construct; a refusal becomes a problem at the field it names. */
function build<T>(
  yaml: typeof Yaml,
  d: ParsedDocument,
  problems: SpecProblem[],
  make: (id: string, props: unknown) => T,
  checker: SchemaChecker,
): T | undefined {
  const kind = d.kind as Kind;
  // kind and $schema say what the document is; the rest are the construct's props.
  const props = instantiate(checker, definitionRef(KINDS[kind]), withoutKeys(d.value as Record<string, unknown>, ['kind', '$schema']));
  try {
    return make(String(d.name), props);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const located = locate(yaml, d.at, fieldSegments(e.field));
    problems.push({ ...located, field: e.field, message: e.message });
    return undefined;
  }
}

function schemaProblem(yaml: typeof Yaml, path: string, d: ParsedDocument, p: SchemaProblem): SpecProblem {
  const segments = p.path.map((s) => (typeof s === 'object' ? s.entry : s));
  const located = locate(yaml, d.at, segments, p.unknownKey === true);
  const field = formatField(p.path);
  // YAML reads `version: 1.0` as the number 1: the fix quotes what was written.
  const written = p.fix.startsWith('quote it') ? sourceText(yaml, d.at, segments) : undefined;
  const fix = written === undefined ? p.fix : `quote it: "${written}"`;
  return { ...located, field, message: new ValidationError(path, field, p.value, p.problem, fix).message };
}

function constructPath(chart: ServingChart, d: SpecDocument): string {
  const name = typeof d.name === 'string' && d.name !== '' ? d.name : `${d.file}#${d.line}`;
  return chart.node.path ? `${chart.node.path}/${name}` : name;
}

/** The service names a pipeline document's steps call. */
function servicesNamed(value: unknown): string[] {
  const stages = (value as { stages?: unknown }).stages;
  if (!Array.isArray(stages)) return [];
  return stages.flat().map((step) => (typeof step === 'string' ? step : (step as { service?: unknown })?.service)).filter((s): s is string => typeof s === 'string');
}

function withoutKeys(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/** Mistakes as a reader meets them: file by file, top to bottom. */
function inFileOrder(problems: readonly SpecProblem[], files: readonly string[]): SpecProblem[] {
  return [...problems].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.column - b.column);
}
