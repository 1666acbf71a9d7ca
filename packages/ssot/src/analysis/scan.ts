import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extractFacts } from '../facts/extract-facts.js';
import type { SourceFile } from '../files/source-file.js';
import { parseSourceAsync } from '../parse/parser.js';
import type { Project } from './project.js';

export type Scope = 'concept' | 'tree';

export interface ScanOptions {
  readonly scope: Scope;
  /** Byte strings that make a file worth parsing in `concept` scope. */
  readonly terms: readonly string[];
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ScanStats {
  readonly files: number;
  readonly parsed: number;
  readonly bytes: number;
}

/**
 * Reads every file once and parses the ones that can matter. Parsing runs on the libuv pool
 * (ast-grep's parseAsync) with a bounded number of files in flight, so both cores parse while
 * the main thread extracts facts, and memory stays flat however large the tree is.
 */
export async function scanTree(project: Project, options: ScanOptions): Promise<ScanStats> {
  const needles = options.terms.map((term) => Buffer.from(term, 'utf8'));
  const files = project.files;
  const lanes = Math.max(2, availableParallelism() * 2);
  let next = 0;
  let done = 0;
  let parsed = 0;
  let bytes = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next] as SourceFile;
      next += 1;
      // Synchronous reads are several times cheaper than fs/promises for small files, and the
      // parse threads keep working while the main thread reads.
      const buffer = readFileSync(file.path);
      bytes += buffer.length;
      if (options.scope === 'tree' || needles.some((needle) => buffer.includes(needle))) {
        const text = buffer.toString('utf8');
        const root = await parseSourceAsync(file.grammar, text);
        project.setScanned(file, extractFacts(file, root, text, project.interest));
        parsed += 1;
      }
      done += 1;
      options.onProgress?.(done, files.length);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { files: files.length, parsed, bytes };
}
