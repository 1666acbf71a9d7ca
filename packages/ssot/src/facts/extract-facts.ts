import type { SgRoot } from '@ast-grep/napi';
import type { SourceFile } from '../files/source-file.js';
import type { FileFacts, Interest } from './file-facts.js';
import { stringReferences } from './string-references.js';
import { extractPyFacts } from './py-extract.js';
import { extractTsFacts } from './ts-extract.js';

export function extractFacts(file: SourceFile, root: SgRoot, text: string, interest: Interest): FileFacts {
  const facts = file.family === 'python'
    ? extractPyFacts(root.root(), text, interest, file.declarationOnly)
    : extractTsFacts(root.root(), text, interest, file);
  return { ...facts, stringReferences: stringReferences(text, file.family === 'python') };
}
