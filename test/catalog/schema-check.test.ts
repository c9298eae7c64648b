import { formatValue } from '../../lib/catalog';
import { closestName } from '../../lib/catalog/did-you-mean';
import { formatField, isInstanceNamed, SchemaChecker, SchemaDocument, SchemaNode } from '../../lib/catalog/schema-check';

/** A small schema in the shape ts-json-schema-generator writes, with the marks scripts/schemas adds. */
const document: SchemaDocument = {
  definitions: {
    Share: {
      anyOf: [
        { type: 'object', properties: { kind: { type: 'string', const: 'time-slicing' } }, required: ['kind'], additionalProperties: false },
        { type: 'object', properties: { kind: { type: 'string', const: 'mig' }, profile: { type: 'string' } }, required: ['kind', 'profile'], additionalProperties: false },
      ],
    },
    Props: {
      type: 'object',
      properties: {
        count: { type: 'number' },
        enabled: { type: 'boolean' },
        names: { type: 'array', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        share: { $ref: '#/definitions/Share' },
        mode: { type: 'string', enum: ['fast', 'safe'] },
        rollout: { 'x-instanceof': 'Rollout' },
        either: { anyOf: [{ type: 'boolean' }, { type: 'object', properties: { size: { type: 'number' } }, additionalProperties: false }] },
      },
      required: ['count'],
      additionalProperties: false,
    },
  },
  'x-classes': { Rollout: { factories: ['canary', 'shadow'] } },
};
const checker = new SchemaChecker(document);
const props: SchemaNode = { $ref: '#/definitions/Props' };
const problems = (value: unknown) => checker.problems(props, value, { rootNoun: 'a Thing prop' }).map((p) => `${formatField(p.path)} (${formatValue(p.value)}) ${p.problem}; ${p.fix}`);

class Rollout {}
class SubRollout extends Rollout {}

describe('SchemaChecker', () => {
  test('a valid value has no problem; undefined optional fields are as good as absent', () => {
    expect(problems({ count: 1, enabled: undefined, names: ['a'], labels: { a: 'b' }, share: { kind: 'mig', profile: '1g.10gb' }, mode: 'safe', rollout: new SubRollout(), either: { size: 2 } })).toEqual([]);
  });

  test('each kind of mistake, in the order a reader meets them: unknown keys, then fields as written, then missing ones', () => {
    expect(problems({ cont: 1, enabled: 'false', names: 'a', labels: { a: 1 }, mode: 'quick', rollout: { kind: 'canary' } })).toEqual([
      'cont (1) is not a Thing prop; did you mean count?',
      'enabled ("false") is a string, not true or false; use false without quotes',
      'names ("a") is a string, not a list; give a list, e.g. ["a"]',
      'labels["a"] (1) is a number, not a string; quote it: "1"',
      'mode ("quick") is not supported; use one of "fast", "safe"',
      'rollout ({"kind":"canary"}) is not a Rollout; use Rollout.canary() or .shadow()',
    ]);
  });

  test('a required field missing, null, NaN or Infinity', () => {
    expect(problems({})).toEqual(['count (not set) is missing; give a number']);
    expect(problems({ count: null })).toEqual(['count (null) is null; give a number']);
    expect(problems({ count: NaN })).toEqual(['count (NaN) is not a finite number; give a number']);
    expect(problems({ count: -Infinity })).toEqual(['count (-Infinity) is not a finite number; give a number']);
  });

  test('a union is judged by the member the value carries the kind of', () => {
    expect(problems({ count: 1, share: { kind: 'mig' } })).toEqual(['share.profile (not set) is missing; give a string']);
    expect(problems({ count: 1, share: { kind: 'time-slicing', profile: 'x' } })).toEqual(['share.profile ("x") is not a field of share; remove it, or use one of kind']);
    expect(problems({ count: 1, share: 'mig' })).toEqual(['share ("mig") is a string, not an object; give an object']);
    expect(problems({ count: 1, either: 'true' })).toEqual(['either ("true") is a string, not true or false or an object; use true without quotes']);
    expect(problems({ count: 1, either: { sise: 2 } })).toEqual(['either.sise (2) is not a field of either; did you mean size?']);
  });

  test('an object made by a class may carry more than the interface names; an object literal may not', () => {
    class Connection {
      readonly count = 1;
      readonly internals = {};
    }
    expect(problems(new Connection())).toEqual([]);
    expect(problems({ count: 1, internals: {} })).toEqual(['internals ({}) is not a Thing prop; remove it, or use one of count, enabled, names, labels, share, mode, rollout, either']);
  });
});

describe('helpers', () => {
  test('isInstanceNamed follows the prototype chain', () => {
    expect(isInstanceNamed(new SubRollout(), 'Rollout')).toBe(true);
    expect(isInstanceNamed({ constructor: { name: 'Rollout' } }, 'Rollout')).toBe(false);
    expect(isInstanceNamed(null, 'Rollout')).toBe(false);
  });

  test('closestName: case, a missing or extra letter, a swap; nothing for a word too far from every candidate', () => {
    expect(closestName('minReplica', ['maxReplicas', 'minReplicas'])).toBe('minReplicas');
    expect(closestName('databse', ['database', 'cache'])).toBe('database');
    expect(closestName('AutoScaling', ['autoscaling'])).toBe('autoscaling');
    expect(closestName('tritn', ['triton', 'torchServe'])).toBe('triton');
    expect(closestName('colour', ['model', 'resources', 'image'])).toBeUndefined();
    expect(closestName('gpus', ['gpu'])).toBe('gpu');
  });

  test('formatField names map entries and list items the way the construct messages do', () => {
    expect(formatField(['env', { entry: 'LOG_LEVEL' }])).toBe('env["LOG_LEVEL"]');
    expect(formatField(['stages', 1, 0, 'service'])).toBe('stages[1][0].service');
    expect(formatField([])).toBe('props');
  });

  test('a very long string is shortened in a message', () => {
    expect(formatValue('x'.repeat(70_000))).toBe(`"${'x'.repeat(64)}"… (70000 characters)`);
    expect(formatValue('x'.repeat(1024))).toBe(`"${'x'.repeat(1024)}"`);
  });
});
