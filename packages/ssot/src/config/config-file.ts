import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LIMIT_KEYS, type Limits } from '../analysis/concept-spec.js';
import { SsotError, SsotErrorCode } from '../errors.js';

/** ssot.config.json as written by a user; every field but `concepts[].name` is optional. */
export interface ConfigFile {
  /** Directory of the config file: relative paths inside it are relative to this. */
  readonly baseDir: string;
  readonly root?: string;
  readonly scope?: 'concept' | 'tree';
  readonly exclude?: readonly string[];
  readonly defaultExcludes?: boolean;
  readonly tests?: readonly string[];
  readonly conditions?: readonly string[];
  readonly pythonPaths?: readonly string[];
  readonly concepts: readonly ConceptEntry[];
}

export interface ConceptEntry {
  readonly name: string;
  readonly canonical?: string;
  readonly factories?: readonly string[];
  readonly deprecated?: readonly string[];
  readonly limits?: Limits;
  readonly ignoreImportsIn?: readonly string[];
}

export const CONFIG_FILE_NAME = 'ssot.config.json';

export function loadConfigFile(path: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SsotError(SsotErrorCode.CONFIG_INVALID, `cannot read config ${path}: ${(error as Error).message}`, { cause: error });
  }
  return validateConfig(raw, dirname(resolve(path)), path);
}

function validateConfig(raw: unknown, baseDir: string, where: string): ConfigFile {
  const object = record(raw, where);
  const concepts = object.concepts;
  if (!Array.isArray(concepts) || concepts.length === 0) fail(where, '`concepts` must be a non-empty array');
  const scope = scopeOf(optionalString(object.scope, `${where}: scope`), where);
  return {
    baseDir,
    ...optional('root', optionalString(object.root, `${where}: root`)),
    ...optional('scope', scope),
    ...optional('exclude', stringList(object.exclude, `${where}: exclude`)),
    ...optional('defaultExcludes', optionalBoolean(object.defaultExcludes, `${where}: defaultExcludes`)),
    ...optional('tests', stringList(object.tests, `${where}: tests`)),
    ...optional('conditions', stringList(object.conditions, `${where}: conditions`)),
    ...optional('pythonPaths', stringList(object.pythonPaths, `${where}: pythonPaths`)),
    concepts: (concepts as unknown[]).map((entry, index) => conceptEntry(entry, `${where}: concepts[${index}]`)),
  };
}

function scopeOf(scope: string | undefined, where: string): 'concept' | 'tree' | undefined {
  if (scope === undefined || scope === 'concept' || scope === 'tree') return scope;
  return fail(where, '`scope` must be "concept" or "tree"');
}

function conceptEntry(raw: unknown, where: string): ConceptEntry {
  const object = record(raw, where);
  const name = optionalString(object.name, `${where}.name`);
  if (name === undefined || name === '') fail(where, '`name` is required');
  return {
    name,
    ...optional('canonical', optionalString(object.canonical, `${where}.canonical`)),
    ...optional('factories', stringList(object.factories, `${where}.factories`)),
    ...optional('deprecated', stringList(object.deprecated, `${where}.deprecated`)),
    ...optional('limits', object.limits === undefined ? undefined : limits(object.limits, `${where}.limits`)),
    ...optional('ignoreImportsIn', stringList(object.ignoreImportsIn, `${where}.ignoreImportsIn`)),
  };
}

function limits(raw: unknown, where: string): Limits {
  const object = record(raw, where);
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(object)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) fail(where, `unknown limit \`${key}\` (known: ${LIMIT_KEYS.join(', ')})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(where, `limit \`${key}\` must be a non-negative integer`);
    result[key] = value;
  }
  return result;
}

function record(raw: unknown, where: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, 'expected an object');
  return raw as Record<string, unknown>;
}

function optionalString(raw: unknown, where: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') fail(where, 'expected a string');
  return raw;
}

function optionalBoolean(raw: unknown, where: string): boolean | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'boolean') fail(where, 'expected true or false');
  return raw;
}

function stringList(raw: unknown, where: string): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) fail(where, 'expected an array of strings');
  return raw as string[];
}

/** Spreads a key only when it has a value, as exactOptionalPropertyTypes requires. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function fail(where: string, message: string): never {
  throw new SsotError(SsotErrorCode.CONFIG_INVALID, `${where}: ${message}`);
}
