import type { SgNode } from '@ast-grep/napi';
import { firstSyntaxError } from '../parse/parser.js';
import type { FileFacts, Interest } from './file-facts.js';
import { aliasesOf } from './import-aliases.js';
import { extractPyDefinitions } from './py-definitions.js';
import { extractPyImports } from './py-imports.js';
import { extractPyConstructions, extractPyMemberUses } from './py-uses.js';
import { lineOf } from './syntax-node.js';

export function extractPyFacts(root: SgNode, text: string, interest: Interest, stubFile: boolean): FileFacts {
  const imports = extractPyImports(root);
  const { definitions, localExports } = extractPyDefinitions(root, interest.definitionPattern, interest.allClasses, stubFile);
  const error = firstSyntaxError(root);
  return {
    imports,
    definitions,
    constructions: extractPyConstructions(root, interest.names, aliasesOf(imports, interest.names), text),
    memberUses: extractPyMemberUses(root, interest.names),
    localExports,
    syntaxErrorLine: error === null ? null : lineOf(error),
  };
}
