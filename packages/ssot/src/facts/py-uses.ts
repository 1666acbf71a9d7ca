import type { SgNode } from '@ast-grep/napi';
import type { Construction, MemberUse } from './file-facts.js';
import { enclosingScopes } from './enclosing-scopes.js';
import { calleePattern, escapeRegex, lineOf, snippetOf } from './syntax-node.js';

/**
 * In Python a construction is a call: `Concept(…)` or `module.Concept(…)`; `module.Concept` is
 * also how `import a.b as m` reaches the concept.
 */
export function pyUseRules(names: readonly string[]): object[] {
  if (names.length === 0) return [];
  return [
    { kind: 'call', has: { field: 'function', regex: calleePattern(names) } },
    { kind: 'attribute', has: { field: 'attribute', regex: `^(?:${names.map(escapeRegex).join('|')})$` } },
  ];
}

export interface PyUseFacts {
  readonly constructions: Construction[];
  readonly memberUses: MemberUse[];
}

export function collectPyUseNode(node: SgNode, kind: string, text: string, facts: PyUseFacts): boolean {
  if (kind === 'call') facts.constructions.push(pyConstruction(node, text));
  else if (kind === 'attribute') {
    facts.memberUses.push({ object: node.field('object')?.text() ?? '', property: node.field('attribute')?.text() ?? '', line: lineOf(node) });
  } else return false;
  return true;
}

export function pyConstruction(node: SgNode, text: string): Construction {
  return {
    callee: node.field('function')?.text() ?? '',
    line: lineOf(node),
    column: node.range().start.column + 1,
    enclosing: enclosingScopes(node),
    snippet: snippetOf(text, node),
  };
}
