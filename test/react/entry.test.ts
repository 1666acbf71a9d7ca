import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

describe('agentwire/react', () => {
  it('imports React and the client entry, nothing else outside src/react', () => {
    const dir = join(ROOT, 'src', 'react');
    const outside = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => importsOf(join(dir, name)))
      .filter((spec) => !/^\.\/[a-z-]+\.js$/.test(spec));
    expect([...new Set(outside)].sort()).toEqual(['../client/index.js', 'react']);
  });
});

describe('the chat page', () => {
  it('imports agentwire only through its public entry points', () => {
    const dir = join(ROOT, 'web', 'src');
    const bare = readdirSync(dir)
      .filter((name) => /\.tsx?$/.test(name))
      .flatMap((name) => importsOf(join(dir, name)))
      .filter((spec) => !spec.startsWith('./'));
    // Besides agentwire and React: the Markdown renderer and its sanitiser (web/src/markdown.tsx).
    expect([...new Set(bare)].sort()).toEqual(['agentwire/client', 'agentwire/react', 'dompurify', 'marked', 'react', 'react-dom/client']);
  });
});
