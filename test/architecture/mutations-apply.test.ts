/**
 * The mutation runner (scripts/mutate.ts) proves each promise's test can fail, but only while
 * every mutation still finds its code. A refactor that moves that code silently retires the
 * proof; this keeps `mutate --check` part of every test run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MUTATIONS } from '../../scripts/mutations.js';

function occurrences(text: string, find: string): number {
  let count = 0;
  for (let at = text.indexOf(find); at >= 0; at = text.indexOf(find, at + 1)) count += 1;
  return count;
}

describe('mutations of docs/mutations.md', () => {
  it('each still finds the code it breaks, exactly once, and names a test file that exists', () => {
    const stale: string[] = [];
    for (const mutation of MUTATIONS) {
      for (const edit of [mutation, ...(mutation.more ?? [])]) {
        if (occurrences(readFileSync(edit.file, 'utf8'), edit.find) !== 1) stale.push(`${mutation.id} (${edit.file})`);
      }
      readFileSync(mutation.test, 'utf8');
    }
    expect(stale).toEqual([]);
  });
});
