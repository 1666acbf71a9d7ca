import type { SgNode } from '@ast-grep/napi';
import { firstSyntaxError } from '../parse/parser.js';
import type { FileFacts, Interest } from './file-facts.js';
import { aliasesOf } from './import-aliases.js';
import { lineOf } from './syntax-node.js';
import { extractTsDefinitions } from './ts-definitions.js';
import { extractTsModules } from './ts-imports.js';
import { extractTsConstructions, extractTsMemberUses } from './ts-uses.js';

export function extractTsFacts(root: SgNode, text: string, interest: Interest, declarationFile: boolean): FileFacts {
  const modules = extractTsModules(root);
  const { definitions, localExports } = extractTsDefinitions(root, interest.definitionPattern, interest.allClasses, declarationFile);
  const error = firstSyntaxError(root);
  return {
    imports: modules.imports,
    definitions,
    constructions: extractTsConstructions(root, interest.names, aliasesOf(modules.imports, interest.names), text),
    memberUses: extractTsMemberUses(root, interest.names),
    localExports: [...modules.localExports, ...localExports],
    syntaxErrorLine: error === null ? null : lineOf(error),
  };
}
