import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extractFacts } from '../facts/extract-facts.js';
import { FileReader } from '../files/file-reader.js';
import type { SourceFile } from '../files/source-file.js';
import { parseSourceAsync } from '../parse/parser.js';
import { secondaryLimit, type PrefilterTerms } from './prefilter.js';
import type { Project } from './project.js';

export type Scope = 'concept' | 'tree';

export interface ScanOptions {
  readonly scope: Scope;
  readonly terms: PrefilterTerms;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ScanStats {
  readonly files: number;
  readonly parsed: number;
  readonly bytes: number;
  /** Role words too common to select files by, with the number of files containing them. */
  readonly commonWords: readonly { readonly word: string; readonly files: number }[];
}

/**
 * Reads every file once and parses the ones that can matter. Parsing runs on the libuv pool
 * (ast-grep's parseAsync) with a bounded number of files in flight, so the parser threads work
 * while the main thread reads and extracts, and memory stays flat however large the tree is.
 * Files that only contain a role word wait until the read is done: if the word turns out to be
 * common, they are not parsed at all.
 */
export async function scanTree(project: Project, options: ScanOptions): Promise<ScanStats> {
  const primary = options.terms.primary.map((term) => Buffer.from(term, 'utf8'));
  const secondary = options.terms.secondary.map((term) => ({ word: term, needle: Buffer.from(term, 'utf8'), files: [] as SourceFile[] }));
  const files = project.files;
  let bytes = 0;
  let parsed = 0;
  const reader = new FileReader();
  const parse = async (file: SourceFile, text: string): Promise<void> => {
    const root = await parseSourceAsync(file.grammar, text);
    project.setScanned(file, extractFacts(file, root, text, project.interest));
    parsed += 1;
  };
  await inLanes(files.length, async (index) => {
    const file = files[index] as SourceFile;
    // Synchronous reads into one buffer cost a fraction of fs/promises, and the parser threads
    // keep working meanwhile. The text is decoded only for files that get parsed.
    const buffer = reader.read(file.path);
    bytes += buffer.length;
    if (options.scope === 'tree' || primary.some((needle) => buffer.includes(needle))) await parse(file, buffer.toString('utf8'));
    else for (const term of secondary) if (buffer.includes(term.needle)) term.files.push(file);
    options.onProgress?.(index + 1, files.length);
  });
  const limit = secondaryLimit(files.length);
  const deferred = [...new Set(secondary.filter((term) => term.files.length <= limit).flatMap((term) => term.files))];
  await inLanes(deferred.length, (index) => {
    const file = deferred[index] as SourceFile;
    return project.parsedOrScanned(file) ? Promise.resolve() : parse(file, readFileSync(file.path, 'utf8'));
  });
  const commonWords = secondary.filter((term) => term.files.length > limit).map((term) => ({ word: term.word, files: term.files.length }));
  return { files: files.length, parsed, bytes, commonWords };
}

/** Runs `task` for indexes 0..count-1 with a bounded number in flight, in index order. */
async function inLanes(count: number, task: (index: number) => Promise<void>): Promise<void> {
  const lanes = Math.max(2, availableParallelism() * 2);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}
