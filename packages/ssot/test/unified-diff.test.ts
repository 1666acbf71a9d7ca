import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../src/fix/unified-diff.js';

/** Applies a unified diff produced for `before`; the test's own reading of the format. */
function applyPatch(before: string, patch: string): string {
  const source = before === '' ? [] : before.split('\n');
  if (before.endsWith('\n')) source.pop();
  const output: string[] = [];
  let cursor = 0;
  const lines = patch.split('\n').slice(2);
  for (let index = 0; index < lines.length; index += 1) {
    const header = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(lines[index] ?? '');
    if (header === null) continue;
    const oldStart = Number(header[1]);
    const start = Number(header[2]) === 0 ? oldStart : oldStart - 1;
    while (cursor < start) output.push(source[cursor++] ?? '');
    for (index += 1; index < lines.length && !(lines[index] ?? '').startsWith('@@'); index += 1) {
      const line = lines[index] ?? '';
      if (line.startsWith('+')) output.push(line.slice(1));
      else if (line.startsWith(' ')) output.push(source[cursor++] ?? '');
      else if (line.startsWith('-')) cursor += 1;
    }
    index -= 1;
  }
  while (cursor < source.length) output.push(source[cursor++] ?? '');
  return output.map((line) => `${line}\n`).join('');
}

const text = fc.array(fc.constantFrom('a', 'b', 'c', 'import x', '', '}'), { maxLength: 40 }).map((lines) => lines.map((line) => `${line}\n`).join(''));

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('f', 'a\nb\n', 'a\nb\n')).toBe('');
  });

  it('produces a patch that turns the old text into the new one', () => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        const patch = unifiedDiff('f.ts', before, after);
        expect(before === after ? before : applyPatch(before, patch)).toBe(after);
      }),
      { numRuns: 300 },
    );
  });
});
