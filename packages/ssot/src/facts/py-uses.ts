import type { SgNode } from '@ast-grep/napi';
import type { Construction, MemberUse } from './file-facts.js';
import { enclosingScopes } from './enclosing-scopes.js';
import { escapeRegex, lineOf, snippetOf } from './syntax-node.js';

/** In Python a construction is a call: `Concept(…)`, `Alias(…)` or `module.Concept(…)`. */
export function extractPyConstructions(root: SgNode, names: readonly string[], aliases: readonly string[], text: string): Construction[] {
  if (names.length === 0) return [];
  const local = [...names, ...aliases].map(escapeRegex).join('|');
  const member = names.map(escapeRegex).join('|');
  const rule = { rule: { kind: 'call', has: { field: 'function', regex: `^(?:${local})$|\\.(?:${member})$` } } };
  return root.findAll(rule).map((node) => {
    const line = lineOf(node);
    return {
      callee: node.field('function')?.text() ?? '',
      line,
      column: node.range().start.column + 1,
      enclosing: enclosingScopes(node),
      snippet: snippetOf(text, node),
    };
  });
}

/** `module.Concept` and `a.b.Concept`: how `import a.b as m` reaches the concept. */
export function extractPyMemberUses(root: SgNode, names: readonly string[]): MemberUse[] {
  if (names.length === 0) return [];
  const rule = { rule: { kind: 'attribute', has: { field: 'attribute', regex: `^(?:${names.map(escapeRegex).join('|')})$` } } };
  return root.findAll(rule).map((node) => ({
    object: node.field('object')?.text() ?? '',
    property: node.field('attribute')?.text() ?? '',
    line: lineOf(node),
  }));
}
