import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SsotError, SsotErrorCode } from '../errors.js';
import { fileRole } from './file-role.js';
import { compileGlobs } from './glob.js';
import { grammarOf, isDeclarationFile, type SourceFile } from './source-file.js';

/** What a repository rarely wants audited: dependencies, build output, caches, VCS data. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  'node_modules', '.*', '__pycache__', 'dist', 'build', 'coverage', 'venv', 'site-packages',
];

export interface WalkOptions {
  readonly exclude: readonly string[];
  readonly tests: readonly string[];
}

/** Lists every TS/JS/Python source under root, sorted so reports are stable across runs. */
export function walkSources(root: string, options: WalkOptions): SourceFile[] {
  assertDirectory(root);
  const excluded = compileGlobs(options.exclude);
  const tests = compileGlobs(options.tests);
  const files: SourceFile[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relDir = pending.pop() ?? '';
    for (const entry of readdirSync(join(root, relDir), { withFileTypes: true })) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (excluded(rel)) continue;
      if (entry.isDirectory()) {
        pending.push(rel);
        continue;
      }
      if (!entry.isFile()) continue;
      const grammar = grammarOf(entry.name);
      if (grammar === undefined) continue;
      files.push({
        path: join(root, rel),
        rel,
        grammar,
        family: grammar === 'python' ? 'python' : 'ts',
        role: fileRole(rel, tests),
        declarationOnly: isDeclarationFile(entry.name),
      });
    }
  }
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

function assertDirectory(root: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (error) {
    throw new SsotError(SsotErrorCode.ROOT_NOT_FOUND, `cannot read ${root}`, { cause: error });
  }
  if (!isDirectory) throw new SsotError(SsotErrorCode.ROOT_NOT_FOUND, `${root} is not a directory`);
}
