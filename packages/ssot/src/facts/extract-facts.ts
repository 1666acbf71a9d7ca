import type { SgRoot } from '@ast-grep/napi';
import type { SourceFile } from '../files/source-file.js';
import type { FileFacts, Interest } from './file-facts.js';
import { extractPyFacts } from './py-extract.js';
import { extractTsFacts } from './ts-extract.js';

export function extractFacts(file: SourceFile, root: SgRoot, text: string, interest: Interest): FileFacts {
  return file.family === 'python'
    ? extractPyFacts(root.root(), text, interest, file.declarationOnly)
    : extractTsFacts(root.root(), text, interest, file);
}
