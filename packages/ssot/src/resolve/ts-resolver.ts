import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { NapiResolveOptions, ResolveResult, ResolverFactory } from 'oxc-resolver';
import type { SourceFile } from '../files/source-file.js';
import { parseJsonc } from './jsonc.js';
import { BUILTIN, type Resolution } from './resolution.js';

const BASE_CONDITIONS = ['import', 'require', 'node', 'default'];

/**
 * TS/JS module resolution through oxc-resolver: tsconfig `paths` (found per file, so monorepos
 * work), package `exports` with the conditions the project compiles with, and TypeScript's
 * `.js` → `.ts` extension mapping. JavaScript files get a resolver without that mapping, so a
 * `.js` file that imports `./x.js` reaches x.js and not its x.d.ts.
 */
export class TsResolver {
  readonly #typescript: ResolverFactory;
  readonly #javascript: ResolverFactory;
  readonly #cache = new Map<string, Resolution>();

  constructor(root: string, conditions: readonly string[] = projectConditions(root)) {
    const options: NapiResolveOptions = {
      tsconfig: 'auto',
      builtinModules: true,
      conditionNames: [...new Set([...conditions, ...BASE_CONDITIONS])],
      mainFields: ['types', 'module', 'main'],
      extensions: ['.ts', '.tsx', '.d.ts', '.mts', '.d.mts', '.cts', '.d.cts', '.js', '.jsx', '.mjs', '.cjs', '.json', '.node'],
      extensionAlias: {
        '.js': ['.ts', '.tsx', '.d.ts', '.js'],
        '.jsx': ['.tsx', '.jsx'],
        '.mjs': ['.mts', '.d.mts', '.mjs'],
        '.cjs': ['.cts', '.d.cts', '.cjs'],
      },
    };
    // Loaded here, not at start-up: loading the native resolver costs ~40 ms, and a Python tree never needs it.
    const oxc = createRequire(import.meta.url)('oxc-resolver') as typeof import('oxc-resolver');
    this.#typescript = new oxc.ResolverFactory(options);
    this.#javascript = this.#typescript.cloneWithOptions({
      ...options,
      mainFields: ['module', 'main'],
      extensions: ['.js', '.jsx', '.mjs', '.cjs', '.json', '.node', '.ts', '.tsx'],
      extensionAlias: {},
    });
  }

  resolve(from: SourceFile, specifier: string): Resolution {
    const key = `${dirname(from.path)}\0${from.grammar === 'JavaScript' ? 'js' : 'ts'}\0${specifier}`;
    let resolution = this.#cache.get(key);
    if (resolution === undefined) {
      resolution = this.#resolveUncached(from, specifier);
      this.#cache.set(key, resolution);
    }
    return resolution;
  }

  #resolveUncached(from: SourceFile, specifier: string): Resolution {
    const resolver = from.grammar === 'JavaScript' ? this.#javascript : this.#typescript;
    const result = resolver.resolveFileSync(from.path, specifier);
    const first = toResolution(result);
    if (first.status !== 'unresolved' || from.grammar === 'JavaScript') return first;
    // Type-only packages (`@types/x`) resolve only by TypeScript's declaration lookup.
    const declaration = toResolution(resolver.resolveDtsSync(from.path, specifier));
    return declaration.status === 'resolved' ? declaration : first;
  }
}

function toResolution(result: ResolveResult): Resolution {
  if (result.builtin !== undefined) return BUILTIN;
  if (result.path !== undefined) return { status: 'resolved', file: result.path };
  return { status: 'unresolved', reason: result.error ?? 'cannot resolve' };
}

/** `compilerOptions.customConditions` of the root tsconfig, e.g. a `source` condition. */
export function projectConditions(root: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  } catch {
    return [];
  }
  try {
    const config = parseJsonc(text) as { compilerOptions?: { customConditions?: unknown } } | null;
    const conditions = config?.compilerOptions?.customConditions;
    return Array.isArray(conditions) ? conditions.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    // A tsconfig we cannot read gives no conditions; oxc-resolver reports its own errors per import.
    return [];
  }
}
