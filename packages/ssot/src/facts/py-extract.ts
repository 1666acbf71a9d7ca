import type { NapiConfig, SgNode } from '@ast-grep/napi';
import type { FileFacts, ImportSite, Interest } from './file-facts.js';
import { aliasesOf } from './import-aliases.js';
import { collectPyDefinitionNode, pyDefinitionRules, type PyDefinitionFacts } from './py-definitions.js';
import { collectPyImportNode, PY_IMPORT_RULES } from './py-imports.js';
import { definitionPattern, gateKey, ruleGates } from './rule-gates.js';
import { collectPyUseNode, pyConstruction, pyUseRules, type PyUseFacts } from './py-uses.js';
import { exactNamesPattern, lineOf } from './syntax-node.js';

/** One traversal for everything, as in extractTsFacts. */
export function extractPyFacts(root: SgNode, text: string, interest: Interest, stubFile: boolean): Omit<FileFacts, 'stringReferences'> {
  const rules = rulesFor(interest, text);
  const imports: ImportSite[] = [];
  const definitions: PyDefinitionFacts = { definitions: [], localExports: [] };
  const uses: PyUseFacts = { constructions: [], memberUses: [] };
  let syntaxErrorLine: number | null = null;
  for (const node of root.findAll(rules)) {
    const kind = String(node.kind());
    if (kind === 'ERROR') syntaxErrorLine ??= lineOf(node);
    else if (!collectPyImportNode(node, kind, imports) && !collectPyUseNode(node, kind, text, uses)) {
      collectPyDefinitionNode(node, kind, stubFile, definitions);
    }
  }
  const aliases = aliasesOf(imports, interest.names);
  if (aliases.length > 0) {
    // `from x import Concept as Alias` then `Alias(…)`.
    const rule = { rule: { kind: 'call', has: { field: 'function', regex: exactNamesPattern(aliases) } } };
    for (const node of root.findAll(rule)) uses.constructions.push(pyConstruction(node, text));
  }
  return {
    imports,
    definitions: definitions.definitions,
    constructions: uses.constructions,
    memberUses: uses.memberUses,
    localExports: definitions.localExports,
    syntaxErrorLine,
  };
}

const ruleCache = new WeakMap<Interest, Map<number, NapiConfig>>();

/** The rule set for one file: every rule that can match in its text (see RuleGates), as one `any`. */
function rulesFor(interest: Interest, text: string): NapiConfig {
  let cache = ruleCache.get(interest);
  if (cache === undefined) {
    cache = new Map();
    ruleCache.set(interest, cache);
  }
  const gates = ruleGates(interest, text);
  const key = gateKey(gates);
  let rule = cache.get(key);
  if (rule === undefined) {
    const rules = [
      ...PY_IMPORT_RULES,
      ...pyDefinitionRules(definitionPattern(interest), interest.allClasses, gates),
      ...(gates.uses ? pyUseRules(interest.names) : []),
      { kind: 'ERROR' },
    ];
    rule = { rule: { any: rules } };
    cache.set(key, rule);
  }
  return rule;
}
