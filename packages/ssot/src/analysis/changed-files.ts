import { execFileSync } from 'node:child_process';
import { SsotError, SsotErrorCode } from '../errors.js';
import type { Project } from './project.js';

/** git's output for a large change set can be long; a cap keeps a broken repo from eating memory. */
const GIT_OUTPUT_LIMIT = 64 << 20;

/**
 * Files (root-relative) changed since `revision` — committed, staged, unstaged and untracked —
 * and, transitively, the examined files whose imports reach them: a changed module can break
 * what imports it.
 */
export function changedScope(project: Project, revision: string): Set<string> {
  const changed = new Set([
    ...git(project.root, ['diff', '--name-only', '--relative', '--no-renames', revision, '--']),
    ...git(project.root, ['ls-files', '--others', '--exclude-standard']),
  ]);
  const importers = new Map<string, Set<string>>();
  for (const file of project.scannedFiles()) {
    for (const site of project.facts(file).imports) {
      const resolution = project.resolve(file, site);
      if (resolution.status !== 'resolved') continue;
      const target = project.rel(resolution.file);
      let set = importers.get(target);
      if (set === undefined) importers.set(target, (set = new Set()));
      set.add(file.rel);
    }
  }
  const queue = [...changed];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const importer of importers.get(next) ?? []) {
      if (changed.has(importer)) continue;
      changed.add(importer);
      queue.push(importer);
    }
  }
  return changed;
}

function git(cwd: string, args: readonly string[]): string[] {
  try {
    const output = execFileSync('git', [...args], { cwd, encoding: 'utf8', maxBuffer: GIT_OUTPUT_LIMIT, stdio: ['ignore', 'pipe', 'pipe'] });
    return output.split('\n').filter((line) => line.length > 0);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() ?? String(error);
    throw new SsotError(SsotErrorCode.GIT_FAILED, `git ${args[0] ?? ''} failed in ${cwd}: ${detail}`, { cause: error });
  }
}
