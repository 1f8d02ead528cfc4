import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigText } from '../../../src/config/load.js';
import { fuzz } from './settings.js';

const EXAMPLE = readFileSync(new URL('../../../config/clipgate.example.yml', import.meta.url), 'utf8');
const ENV = { FRONT_DOOR_PASSWORD: 'a', GARAGE_PASSWORD: 'b', DRIVEWAY_PASSWORD: 'e', MQTT_PASSWORD: 'c', CLIPGATE_PLATFORM_TOKEN: 'd' };
/** Every key name the schema knows anywhere: an "unknown key" is drawn from outside this set. */
const SCHEMA_KEYS = new Set(
  readFileSync(new URL('../../../config/clipgate.schema.json', import.meta.url), 'utf8')
    .match(/"properties":\s*\{|"[^"]+":\s*\{/g)
    ?.map((m) => m.slice(1, m.indexOf('"', 1))) ?? [],
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** `path: message`: a non-empty path (dotted keys, or `(yaml)`/`(root)`), then a non-empty message. */
const ERROR_LINE = /^\S(?:.*?\S)?: \S/s;

function expectPathNamedErrors(text: string, env: NodeJS.ProcessEnv): string[] {
  const result = parseConfigText(text, env);
  if (result.ok) return [];
  expect(result.errors.length).toBeGreaterThan(0);
  for (const line of result.errors) expect(line).toMatch(ERROR_LINE);
  return result.errors;
}

/** Every node of the example config below the root, with its path. */
function nodes(value: Json, path: Path = [], out: [Path, Json][] = []): [Path, Json][] {
  if (path.length > 0) out.push([path, value]);
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) nodes(v, [...path, k], out);
  return out;
}

/** The loader's rendering of a key path: dotted, an empty or space-padded key quoted. */
function dotted(path: Path): string {
  return path.map((k) => (String(k) === '' || String(k).trim() !== String(k) ? JSON.stringify(String(k)) : String(k))).join('.');
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** A deep copy of `root` with `value` at `path`, set as an own property even for `__proto__`. */
function withValue(root: Json, path: Path, value: Json): Json {
  const copy = structuredClone(root);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string, Json>)[key] as Json;
  Object.defineProperty(parent, path[path.length - 1] as string, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const base = parse(EXAMPLE) as Json;
const allNodes = nodes(base);
const objectPaths: Path[] = [[], ...allNodes.filter(([, v]) => kind(v) === 'object').map(([p]) => p)];

const YAML_PIECES = [
  'cameras:', '- id: a', '  ', '\n', ': ', '- ', '{', '}', '[', ']', ',', '"', "'", '#', '&a ', '*a', '<<: ', '!!str ', '!!binary ', '? ',
  '---', '...', '%YAML 1.2', '|', '>', 'web:', '  port: ', '99999', '-1', '0x1F', '.inf', 'null', '~', 'true', 'yes', '${X}', '$${', '${',
  '__proto__:', 'constructor:', 'dataDir: ', 'mqtt:', '  url: ', 'retention: {maxDiskGb: ', 'platform: {url: x, token: y}', '\t', '\u0000', '\ufeff',
];

describe('fuzz: config loader', () => {
  it('parses the example config (the base the mutations start from)', () => {
    expect(parseConfigText(EXAMPLE, ENV).ok).toBe(true);
    expect(allNodes.length).toBeGreaterThan(50);
    expect(SCHEMA_KEYS.has('maxDiskGb')).toBe(true);
  });

  it('answers any YAML-ish text with a config or path-named errors, never an exception', () => {
    const text = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...YAML_PIECES) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), { maxLength: 60 });
    fuzz('config: YAML token soup', 1500, fc.property(text, (parts) => {
      expectPathNamedErrors(parts.join(''), ENV);
    }));
  });

  it('answers any JSON value (JSON is YAML) the same way', () => {
    fuzz('config: random JSON documents', 800, fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      expectPathNamedErrors(JSON.stringify(value), ENV);
    }));
  });

  it('names the exact key path of a value of the wrong type', () => {
    const target = fc.constantFrom(...allNodes);
    const replacement = fc.oneof(fc.string({ maxLength: 10 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }));
    fuzz('config: wrong type at a random key path', 1500, fc.property(target, replacement, ([path, original], value) => {
      fc.pre(kind(value) !== kind(original));
      const errors = expectPathNamedErrors(JSON.stringify(withValue(base, path, value)), ENV);
      const where = dotted(path);
      expect(errors.some((line) => line.startsWith(`${where}: `) || line.startsWith(`${where}.`)), `${where} in ${errors.join(' | ')}`).toBe(true);
    }));
  });

  it('reports an unknown key at its own full path, whatever its name', () => {
    const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'), fc.string({ minLength: 1, maxLength: 12 }));
    fuzz('config: unknown key at a random object path', 1500, fc.property(fc.constantFrom(...objectPaths), key, fc.jsonValue({ maxDepth: 2 }), (path, name, value) => {
      fc.pre(!SCHEMA_KEYS.has(name) && !name.includes('${') && !name.includes('$${'));
      const errors = expectPathNamedErrors(JSON.stringify(withValue(base, [...path, name], value as Json)), ENV);
      expect(errors).toContain(`${dotted([...path, name])}: unknown key`);
    }));
  });

  it('reports YAML alias cycles and alias bombs as errors instead of throwing', () => {
    expect(expectPathNamedErrors('x: &a [*a]', {})).toContain('x.0: a YAML alias refers to the node that contains it');
    expect(expectPathNamedErrors('cameras: &c [{id: a, inbox: /x, privacyMasks: *c}]', {})).toEqual(
      expect.arrayContaining(['cameras.0.privacyMasks: a YAML alias refers to the node that contains it']),
    );
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${`*${'abcd'[i]}, `.repeat(10)}]`)].join('\n');
    expect(expectPathNamedErrors(bomb, {})).toEqual([expect.stringMatching(/^\(yaml\): .*alias/i)]);
  });

  it('keeps a __proto__ key an unknown key: nothing reaches the config through the prototype', () => {
    const r = parseConfigText('web: {__proto__: {port: 1}}', {});
    expect(r).toEqual({ ok: false, errors: ['web.__proto__: unknown key'] });
  });
});
