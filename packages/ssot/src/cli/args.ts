import { parseArgs } from 'node:util';
import { SsotError, SsotErrorCode } from '../errors.js';

export type Command = 'audit' | 'fix' | 'help' | 'version';

export type Format = 'md' | 'json' | 'sarif' | 'github';

export interface CliArgs {
  readonly command: Command;
  readonly dir: string | undefined;
  readonly config: string | undefined;
  readonly concept: string | undefined;
  readonly canonical: string | undefined;
  readonly factories: readonly string[];
  readonly deprecated: readonly string[];
  readonly format: Format;
  readonly out: string | undefined;
  readonly scope: 'concept' | 'tree' | undefined;
  readonly exclude: readonly string[];
  readonly defaultExcludes: boolean;
  readonly tests: readonly string[];
  readonly conditions: readonly string[];
  readonly pythonPaths: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  readonly write: boolean;
  /** audit: fail only on findings not in this file. */
  readonly baseline: string | undefined;
  /** audit: drop fixed findings from the baseline (create it when missing). */
  readonly updateBaseline: boolean;
  /** audit: only findings in files changed since this git revision (and their importers). */
  readonly changedSince: string | undefined;
  /** fix: write even when callers use what the canonical definition lacks. */
  readonly allowIncompatible: boolean;
  readonly progress: boolean;
  /** --workers N; unset: the SSOT_WORKERS environment variable, else one per core. */
  readonly workers: number | undefined;
}

const LIMIT_FLAGS = {
  'max-implementations': 'implementations',
  'max-import-paths': 'importPaths',
  'max-outside-factory': 'constructionsOutsideFactory',
  'max-unresolved': 'unresolvedImports',
  'max-deprecated': 'deprecatedReferences',
} as const;

const OPTIONS = {
  config: { type: 'string' },
  concept: { type: 'string' },
  canonical: { type: 'string' },
  factory: { type: 'string', multiple: true },
  deprecated: { type: 'string', multiple: true },
  format: { type: 'string' },
  out: { type: 'string' },
  scope: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  'no-default-excludes': { type: 'boolean' },
  tests: { type: 'string', multiple: true },
  condition: { type: 'string', multiple: true },
  'python-path': { type: 'string', multiple: true },
  'max-implementations': { type: 'string' },
  'max-import-paths': { type: 'string' },
  'max-outside-factory': { type: 'string' },
  'max-unresolved': { type: 'string' },
  'max-deprecated': { type: 'string' },
  write: { type: 'boolean' },
  'allow-incompatible': { type: 'boolean' },
  baseline: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  'changed-since': { type: 'string' },
  'no-progress': { type: 'boolean' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new SsotError(SsotErrorCode.USAGE, (error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  const [first, dir, ...extra] = positionals;
  const command = values.help === true ? 'help' : values.version === true ? 'version' : commandOf(first);
  if (extra.length > 0) throw new SsotError(SsotErrorCode.USAGE, `unexpected argument: ${extra.join(' ')}`);
  return {
    command,
    dir,
    config: values.config,
    concept: values.concept,
    canonical: values.canonical,
    factories: values.factory ?? [],
    deprecated: values.deprecated ?? [],
    format: formatOf(values.format),
    out: values.out,
    scope: scopeOf(values.scope),
    exclude: values.exclude ?? [],
    defaultExcludes: values['no-default-excludes'] !== true,
    tests: values.tests ?? [],
    conditions: values.condition ?? [],
    pythonPaths: values['python-path'] ?? [],
    limits: limitsOf(values),
    write: values.write === true,
    allowIncompatible: values['allow-incompatible'] === true,
    baseline: values.baseline,
    updateBaseline: values['update-baseline'] === true,
    changedSince: values['changed-since'],
    progress: values['no-progress'] !== true,
    workers: workersOf(values.workers, '--workers'),
  };
}

function commandOf(word: string | undefined): Command {
  if (word === 'audit' || word === 'fix') return word;
  if (word === undefined) return 'help';
  throw new SsotError(SsotErrorCode.USAGE, `unknown command '${word}' (expected audit or fix)`);
}

function formatOf(value: string | undefined): Format {
  if (value === undefined || value === 'md' || value === 'markdown') return 'md';
  if (value === 'json' || value === 'sarif' || value === 'github') return value;
  throw new SsotError(SsotErrorCode.USAGE, `--format must be md, json, sarif or github, not '${value}'`);
}

function scopeOf(value: string | undefined): 'concept' | 'tree' | undefined {
  if (value === undefined || value === 'concept' || value === 'tree') return value;
  throw new SsotError(SsotErrorCode.USAGE, `--scope must be concept or tree, not '${value}'`);
}

/** A worker count from --workers or SSOT_WORKERS: a non-negative integer. */
export function workersOf(raw: string | undefined, source: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new SsotError(SsotErrorCode.USAGE, `${source} needs a non-negative integer, not '${raw}'`);
  return value;
}

function limitsOf(values: Partial<Record<keyof typeof LIMIT_FLAGS, string>>): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const [flag, key] of Object.entries(LIMIT_FLAGS) as [keyof typeof LIMIT_FLAGS, string][]) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new SsotError(SsotErrorCode.USAGE, `--${flag} needs a non-negative integer, not '${raw}'`);
    limits[key] = value;
  }
  return limits;
}

export const USAGE = `ssot — find competing implementations of a concept and fix its imports

Usage:
  ssot audit [DIR] --concept NAME [--canonical MODULE] [--factory SYMBOL]... [--deprecated MODULE]...
             [--format md|json|sarif|github] [--out FILE] [--scope concept|tree] [--max-implementations N]
             [--max-import-paths N] [--max-outside-factory N] [--max-unresolved N] [--max-deprecated N]
             [--baseline FILE [--update-baseline]] [--changed-since REV]
  ssot audit [DIR] [--config FILE]          audit every concept listed in ssot.config.json
  ssot fix [DIR] --concept NAME --canonical MODULE [--write] [--allow-incompatible]

Common options:
  --config FILE            config file (default: DIR/ssot.config.json when it exists)
  --exclude GLOB           skip matching paths (repeatable); --no-default-excludes to scan
                           node_modules, dist, build, hidden directories too
  --tests GLOB             extra globs for test files (repeatable)
  --condition NAME         package-exports condition for TS resolution (repeatable;
                           default: tsconfig customConditions)
  --python-path DIR        extra root for absolute Python imports (repeatable)
  --baseline FILE          audit: fail only on findings not in FILE; report the fixed ones
  --update-baseline        audit: drop fixed findings from FILE (create it when missing)
  --changed-since REV      audit: only findings in files changed since the git revision REV,
                           and in the files whose imports reach them
  --no-progress            no progress bar on stderr
  --workers N              parsing threads beside the main one (default: one per core when
                           there is much to parse; 0: main thread only; env SSOT_WORKERS)

MODULE is a path from DIR (src/transport/notifier.ts), a dotted Python module
(app.services.bridge) or a package specifier / tsconfig alias (agentwire/server).

Exit codes: 0 done, 1 a configured limit is exceeded, 2 usage or config error, 3 internal error,
4 fix --write refused: callers use what the canonical definition lacks.
`;
