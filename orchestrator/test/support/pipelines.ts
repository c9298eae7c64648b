import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisServer } from './redis-server';
import { answer, StubServices } from './stub-services';

/**
 * The online pipeline of the library's production example (examples/serving/production.ts), as
 * ModelPipeline writes it into the orchestrator's ConfigMap: resnet and ocr side by side on the
 * page, then bert-ner on OCR's text; the result keys resnet's and bert-ner's responses. The
 * library's test/k8s/orchestrator-fixture.test.ts fails when the example and this copy differ.
 */
export const DOCUMENTS = JSON.parse(readFileSync(join(__dirname, '../fixtures/documents-pipeline.json'), 'utf8'));

export const PATHS = { resnet: '/v2/models/resnet50/infer', ocr: '/v1/ocr', ner: '/v2/models/bert-ner/infer' } as const;

/** A definition whose step URLs keep their paths but point at the stubs; `change` edits a copy. */
export function pointedAt(definition: any, origin: string, change: (d: any) => void = () => undefined): any {
  const copy = JSON.parse(JSON.stringify(definition));
  for (const step of copy.steps) {
    const url = new URL(step.url);
    step.url = `${origin}${url.pathname}${url.search}`;
  }
  change(copy);
  return copy;
}

/** The documents services: classify the page, read its text, find entities in the text. */
export function documentServices(stubs: StubServices): StubServices {
  return stubs
    .on(PATHS.resnet, answer((input) => ({ label: 'invoice', page: input.page })))
    .on(PATHS.ocr, answer((input) => ({ text: `text of ${input.page}` })))
    .on(PATHS.ner, answer((input) => ({ entities: [input.text] })));
}

let prefixes = 0;

/** The environment ModelPipeline gives the orchestrator (ORCHESTRATOR_CONTRACT), for a local Redis. */
export function contractEnv(redis: RedisServer, definitionPath: string, definition: any, extra: Record<string, string> = {}): Record<string, string> {
  const tls = redis.url.startsWith('rediss');
  return {
    PIPELINE_NAME: definition.name,
    PIPELINE_DEFINITION_PATH: definitionPath,
    PIPELINE_RESULT_TTL_SECONDS: String(definition.resultTtlSeconds),
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redis.port),
    REDIS_TLS: String(tls),
    REDIS_URL: redis.url,
    // Each orchestrator of a test file gets its own keys, as each pipeline does in a namespace.
    REDIS_KEY_PREFIX: `modelserve:test:${definition.name}-${process.pid}-${++prefixes}:`,
    LOG_LEVEL: 'debug',
    ...extra,
  };
}
