import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every module the entry reaches, through a real parser (TypeScript's pre-processor). */
function reachable(entry: string): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) queue.push(resolve(dirname(file), fileName.replace(/\.js$/, '.ts')));
      else bare.add(fileName);
    }
  }
  return { files: [...files].map((f) => f.slice(SRC.length + 1)).sort(), bare: [...bare].sort() };
}

describe('agentwire/client', () => {
  it('imports nothing from Node and nothing from the server side', () => {
    const { files, bare } = reachable(resolve(SRC, 'client/index.ts'));
    expect(bare).toEqual([]);
    expect(files.every((f) => f.startsWith('client/') || f.startsWith('protocol/'))).toBe(true);
    // The protocol's runtime validation (zod) is server-side; the client needs only types and codes.
    expect(files).not.toContain('protocol/schema.ts');
  });
});
