import type { NapiConfig, SgNode } from '@ast-grep/napi';
import type { Grammar } from '../files/source-file.js';
import type { FileFacts, Interest } from './file-facts.js';
import { aliasesOf } from './import-aliases.js';
import { definitionPattern, gateKey, ruleGates } from './rule-gates.js';
import { exactNamesPattern, lineOf } from './syntax-node.js';
import { collectTsDefinitionNode, tsDefinitionRules, type TsDefinitionFacts } from './ts-definitions.js';
import { collectTsModuleNode, tsModuleRules, type TsModuleFacts } from './ts-imports.js';
import { collectTsUseNode, tsConstruction, tsUseRules, type TsUseFacts } from './ts-uses.js';

/**
 * One traversal of the tree collects everything: ast-grep matches the union of all rules in
 * Rust, and JavaScript only sees the nodes that matter. Each extra findAll would walk the whole
 * tree again, which for a large file costs more than the parse.
 */
export function extractTsFacts(root: SgNode, text: string, interest: Interest, file: { grammar: Grammar; declarationOnly: boolean }): Omit<FileFacts, 'stringReferences'> {
  const declarationFile = file.declarationOnly;
  const rules = rulesFor(interest, file.grammar, text);
  const modules: TsModuleFacts = { imports: [], localExports: [] };
  const definitions: TsDefinitionFacts = { definitions: [], localExports: [] };
  const uses: TsUseFacts = { constructions: [], memberUses: [] };
  let syntaxErrorLine: number | null = null;
  for (const node of root.findAll(rules)) {
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

const ruleCache = new WeakMap<Interest, Map<string, NapiConfig>>();

/** The rule set for one file: every rule that can match in its text, as one `any`. */
function rulesFor(interest: Interest, grammar: Grammar, text: string): NapiConfig {
  let cache = ruleCache.get(interest);
  if (cache === undefined) {
    cache = new Map();
    ruleCache.set(interest, cache);
  }
  const gates = ruleGates(interest, text);
  const key = `${grammar}:${gateKey(gates)}`;
  let rule = cache.get(key);
  if (rule === undefined) {
    let rules = [
      ...tsModuleRules(gates),
      ...tsDefinitionRules(definitionPattern(interest), interest.allClasses, gates),
      ...(gates.uses ? tsUseRules(interest.names) : []),
      { kind: 'ERROR' },
    ];
    if (grammar === 'JavaScript') rules = rules.filter((one) => !TYPESCRIPT_ONLY.has((one as { kind?: string }).kind ?? ''));
    rule = { rule: { any: rules } };
    cache.set(key, rule);
  }
  return rule;
}
