import { readFileSync } from 'node:fs';
import { extractFacts } from '../facts/extract-facts.js';
import type { FileFacts, Interest } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';
import { parseSource, parseSourceAsync, type SgRoot } from './parser.js';

/**
 * Reads, parses and extracts one file: the unit of work the scan hands to a thread. Everything
 * it returns is plain data, so a worker thread can send it back as is; the tree itself stays in
 * the thread that parsed it and is dropped there.
 */
export function extractFile(file: SourceFile, interest: Interest): FileFacts {
  const text = readFileSync(file.path, 'utf8');
  return extractFacts(file, parseSource(file.grammar, text), text, interest);
}

/** A file read and parsed, waiting to be extracted. */
export interface ParsedFile {
  readonly file: SourceFile;
  readonly text: string;
  readonly root: SgRoot;
}

/**
 * Reads a file and parses it on libuv's thread pool, so the calling thread can extract one file
 * while the next ones parse on other cores; extractParsed then gives what extractFile gives.
 */
export async function parseFileAsync(file: SourceFile): Promise<ParsedFile> {
  const text = readFileSync(file.path, 'utf8');
  return { file, text, root: await parseSourceAsync(file.grammar, text) };
}

export function extractParsed(parsed: ParsedFile, interest: Interest): FileFacts {
  return extractFacts(parsed.file, parsed.root, parsed.text, interest);
}
