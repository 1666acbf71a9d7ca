import type { SgNode } from '@ast-grep/napi';
import type { Grammar } from '../files/source-file.js';
import type { FileFacts, Interest } from './file-facts.js';
import { aliasesOf } from './import-aliases.js';
import { exactNamesPattern, lineOf } from './syntax-node.js';
import { collectTsDefinitionNode, tsDefinitionRules, type TsDefinitionFacts } from './ts-definitions.js';
import { collectTsModuleNode, TS_MODULE_RULES, type TsModuleFacts } from './ts-imports.js';
import { collectTsUseNode, tsConstruction, tsUseRules, type TsUseFacts } from './ts-uses.js';

/**
 * One traversal of the tree collects everything: ast-grep matches the union of all rules in
 * Rust, and JavaScript only sees the nodes that matter. Each extra findAll would walk the whole
 * tree again, which for a large file costs more than the parse.
 */
export function extractTsFacts(root: SgNode, text: string, interest: Interest, file: { grammar: Grammar; declarationOnly: boolean }): FileFacts {
  const declarationFile = file.declarationOnly;
  const rules = rulesFor(interest, file.grammar);
  const modules: TsModuleFacts = { imports: [], localExports: [] };
  const definitions: TsDefinitionFacts = { definitions: [], localExports: [] };
  const uses: TsUseFacts = { constructions: [], memberUses: [] };
  let syntaxErrorLine: number | null = null;
  for (const node of root.findAll({ rule: { any: rules } })) {
    const kind = String(node.kind());
    if (kind === 'ERROR') syntaxErrorLine ??= lineOf(node);
    else if (!collectTsModuleNode(node, kind, modules) && !collectTsUseNode(node, kind, text, uses)) {
      collectTsDefinitionNode(node, kind, declarationFile, definitions);
    }
  }
  const aliases = aliasesOf(modules.imports, interest.names);
  if (aliases.length > 0) {
    // `import { X as Y }` then `new Y()`: a second, rare pass for the aliases only.
    const rule = { rule: { kind: 'new_expression', has: { field: 'constructor', regex: exactNamesPattern(aliases) } } };
    for (const node of root.findAll(rule)) uses.constructions.push(tsConstruction(node, text));
  }
  return {
    imports: modules.imports,
    definitions: definitions.definitions,
    constructions: uses.constructions,
    memberUses: uses.memberUses,
    localExports: [...modules.localExports, ...definitions.localExports],
    syntaxErrorLine,
  };
}

/** Kinds only the TypeScript grammars have; a rule naming one is rejected for JavaScript. */
const TYPESCRIPT_ONLY = new Set([
  'abstract_class_declaration', 'function_signature', 'type_alias_declaration', 'interface_declaration',
  'enum_declaration', 'nested_type_identifier',
]);

const ruleCache = new WeakMap<Interest, Map<Grammar, object[]>>();

function rulesFor(interest: Interest, grammar: Grammar): object[] {
  let byGrammar = ruleCache.get(interest);
  if (byGrammar === undefined) {
    byGrammar = new Map();
    ruleCache.set(interest, byGrammar);
  }
  let rules = byGrammar.get(grammar);
  if (rules === undefined) {
    rules = [...TS_MODULE_RULES, ...tsDefinitionRules(interest.definitionPattern, interest.allClasses), ...tsUseRules(interest.names), { kind: 'ERROR' }];
    if (grammar === 'JavaScript') rules = rules.filter((rule) => !TYPESCRIPT_ONLY.has((rule as { kind?: string }).kind ?? ''));
    byGrammar.set(grammar, rules);
  }
  return rules;
}
