import { readFileSync } from 'node:fs';
import { extractFacts } from '../facts/extract-facts.js';
import type { FileFacts, Interest } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';
import { parseSource } from './parser.js';

/**
 * Reads, parses and extracts one file: the unit of work the scan hands to a thread. Everything
 * it returns is plain data, so a worker thread can send it back as is; the tree itself stays in
 * the thread that parsed it and is dropped there.
 */
export function extractFile(file: SourceFile, interest: Interest): FileFacts {
  const text = readFileSync(file.path, 'utf8');
  return extractFacts(file, parseSource(file.grammar, text), text, interest);
}
