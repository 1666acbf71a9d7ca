import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditOptions } from '../analysis/audit.js';
import type { ConceptSpec, Limits } from '../analysis/concept-spec.js';
import { workersOf, type CliArgs } from '../cli/args.js';
import { SsotError, SsotErrorCode } from '../errors.js';
import { DEFAULT_EXCLUDES } from '../files/walk.js';
import { CONFIG_FILE_NAME, loadConfigFile, type ConceptEntry, type ConfigFile } from './config-file.js';

/**
 * Merges the command line over the config file: a concept named with --concept takes its
 * settings from the config when the config lists it, and flags override them.
 */
export function planAudit(args: CliArgs, cwd: string): AuditOptions {
  const config = findConfig(args, cwd);
  const root = args.dir !== undefined ? resolve(cwd, args.dir) : config?.root !== undefined ? resolve(config.baseDir, config.root) : cwd;
  const defaultExcludes = args.defaultExcludes && config?.defaultExcludes !== false;
  const conditions = args.conditions.length > 0 ? args.conditions : config?.conditions;
  const workers = args.workers ?? workersOf(process.env['SSOT_WORKERS'], 'SSOT_WORKERS');
  return {
    root,
    concepts: concepts(args, config),
    scope: args.scope ?? config?.scope ?? 'concept',
    exclude: [...(defaultExcludes ? DEFAULT_EXCLUDES : []), ...(config?.exclude ?? []), ...args.exclude],
    tests: [...(config?.tests ?? []), ...args.tests],
    ...(conditions === undefined ? {} : { conditions }),
    pythonPaths: [...(config?.pythonPaths ?? []), ...args.pythonPaths],
    ...(workers === undefined ? {} : { workers }),
  };
}

function findConfig(args: CliArgs, cwd: string): ConfigFile | null {
  if (args.config !== undefined) return loadConfigFile(resolve(cwd, args.config));
  const candidate = join(resolve(cwd, args.dir ?? '.'), CONFIG_FILE_NAME);
  return existsSync(candidate) ? loadConfigFile(candidate) : null;
}

function concepts(args: CliArgs, config: ConfigFile | null): ConceptSpec[] {
  if (args.concept === undefined) {
    if (config === null) throw new SsotError(SsotErrorCode.USAGE, `--concept NAME is required (or a ${CONFIG_FILE_NAME} listing concepts)`);
    if (args.canonical !== undefined || args.factories.length > 0 || args.deprecated.length > 0) {
      throw new SsotError(SsotErrorCode.USAGE, '--canonical, --factory and --deprecated need --concept to say which concept they are for');
    }
    return config.concepts.map((entry) => specOf(entry, args.limits));
  }
  const entry = config?.concepts.find((candidate) => candidate.name === args.concept) ?? { name: args.concept };
  return [
    specOf(
      {
        ...entry,
        ...(args.canonical === undefined ? {} : { canonical: args.canonical }),
        ...(args.factories.length === 0 ? {} : { factories: args.factories }),
        ...(args.deprecated.length === 0 ? {} : { deprecated: args.deprecated }),
      },
      args.limits,
    ),
  ];
}

function specOf(entry: ConceptEntry, overrides: Limits): ConceptSpec {
  return {
    name: entry.name,
    canonical: entry.canonical ?? null,
    factories: entry.factories ?? [],
    deprecated: entry.deprecated ?? [],
    limits: { ...entry.limits, ...overrides },
    ignoreImportsIn: entry.ignoreImportsIn ?? [],
  };
}
