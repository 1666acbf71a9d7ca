/**
 * node --import tsx scripts/mutate.ts [id…] [--verbose] [--list | --check | --baseline]
 *
 * Proves that the tests named in docs/guarantees.md can fail: each mutation breaks one promise
 * in the source with a string replacement, runs the test that is meant to catch it, and
 * restores the file. "red" (the test failed) is the wanted outcome; "GREEN" means the test
 * did not notice the broken promise. Runs one mutation at a time (2-core machines).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { MUTATIONS, type Mutation } from './mutations.js';

function applyEdit(id: string, edit: { file: string; find: string; replace: string }): () => void {
  const original = readFileSync(edit.file, 'utf8');
  const at = original.indexOf(edit.find);
  if (at < 0 || original.indexOf(edit.find, at + 1) >= 0) {
    throw new Error(`${id}: the text to replace must occur exactly once in ${edit.file}`);
  }
  writeFileSync(edit.file, original.slice(0, at) + edit.replace + original.slice(at + edit.find.length));
  return () => writeFileSync(edit.file, original);
}

/** Applies every edit of the mutation; the returned function restores the files, last edit first. */
function apply(mutation: Mutation): () => void {
  const restores: (() => void)[] = [];
  try {
    for (const edit of [mutation, ...(mutation.more ?? [])]) restores.unshift(applyEdit(mutation.id, edit));
  } catch (error) {
    for (const restore of restores) restore();
    throw error;
  }
  return () => {
    for (const restore of restores) restore();
  };
}

const verbose = process.argv.includes('--verbose');

function run(mutation: Mutation): 'red' | 'GREEN' {
  const restore = apply(mutation);
  try {
    const args = ['vitest', 'run', mutation.test, ...(mutation.name ? ['-t', mutation.name] : [])];
    const result = spawnSync('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    // --verbose shows why the test went red, to check it failed on the broken promise.
    if (verbose && result.status !== 0) process.stdout.write(`${(result.stdout + result.stderr).split('\n').filter((l) => !l.includes('✓') && /AssertionError|Error:|expected|FAIL/.test(l)).slice(0, 6).join('\n')}\n`);
    return result.status === 0 ? 'GREEN' : 'red';
  } finally {
    restore();
  }
}

const args = process.argv.slice(2).filter((a) => a !== '--verbose');
if (args.includes('--check')) {
  // Applies and restores every mutation without running tests: the replaced text still exists.
  // Every stale one is named, not just the first, so a refactor's fallout is seen at once.
  const stale: string[] = [];
  for (const m of MUTATIONS) {
    try {
      apply(m)();
    } catch (error) {
      stale.push(error instanceof Error ? error.message : String(error));
    }
  }
  for (const message of stale) process.stdout.write(`${message}\n`);
  process.stdout.write(`${MUTATIONS.length - stale.length} of ${MUTATIONS.length} mutations apply\n`);
  process.exit(stale.length === 0 ? 0 : 1);
}
if (args.includes('--baseline')) {
  // Unmutated, every mapped test must pass: otherwise a "red" above proves nothing.
  const runs = [...new Map(MUTATIONS.map((m) => [`${m.test}|${m.name ?? ''}`, m] as const)).values()];
  let failed = 0;
  for (const m of runs) {
    const result = spawnSync('npx', ['vitest', 'run', m.test, ...(m.name ? ['-t', m.name] : [])], { stdio: 'ignore', env: process.env });
    if (result.status !== 0) failed += 1;
    process.stdout.write(`${result.status === 0 ? 'green' : 'FAILS'}  ${m.test}${m.name ? ` -t "${m.name}"` : ''}\n`);
  }
  process.exit(failed === 0 ? 0 : 1);
}
if (args.includes('--list')) {
  for (const m of MUTATIONS) process.stdout.write(`${m.id}\t${m.file}\t${m.test}\n`);
  process.exit(0);
}
const chosen = args.length > 0 ? MUTATIONS.filter((m) => args.includes(m.id)) : MUTATIONS;
let survived = 0;
for (const mutation of chosen) {
  const started = Date.now();
  const outcome = run(mutation);
  if (outcome === 'GREEN') survived += 1;
  process.stdout.write(`${outcome === 'red' ? 'red  ' : 'GREEN'}  ${mutation.id.padEnd(28)} ${mutation.test}${mutation.name ? ` -t "${mutation.name}"` : ''}  (${Math.round((Date.now() - started) / 1000)} s)\n`);
}
process.stdout.write(`${chosen.length - survived} of ${chosen.length} mutations caught\n`);
process.exit(survived === 0 ? 0 : 1);
