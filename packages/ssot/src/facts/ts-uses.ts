import type { SgNode } from '@ast-grep/napi';
import type { Construction, MemberUse } from './file-facts.js';
import { enclosingScopes } from './enclosing-scopes.js';
import { calleePattern, escapeRegex, lineOf, snippetOf } from './syntax-node.js';

/**
 * Rules for `new X(…)` where X is the concept or `something.Concept`, and for `ns.Concept` in
 * values and types. The regexes run inside ast-grep, so files full of other `new` expressions
 * and member accesses cost nothing extra.
 */
export function tsUseRules(names: readonly string[]): object[] {
  if (names.length === 0) return [];
  const property = `^(?:${names.map(escapeRegex).join('|')})$`;
  return [
    { kind: 'new_expression', has: { field: 'constructor', regex: calleePattern(names) } },
    { kind: 'member_expression', has: { field: 'property', regex: property } },
    { kind: 'nested_type_identifier', has: { field: 'name', regex: property } },
  ];
}

export interface TsUseFacts {
  readonly constructions: Construction[];
  readonly memberUses: MemberUse[];
}

/** Records a node matched by tsUseRules; false for other kinds. */
export function collectTsUseNode(node: SgNode, kind: string, text: string, facts: TsUseFacts): boolean {
  if (kind === 'new_expression') facts.constructions.push(tsConstruction(node, text));
  else if (kind === 'member_expression') {
    facts.memberUses.push({ object: node.field('object')?.text() ?? '', property: node.field('property')?.text() ?? '', line: lineOf(node) });
  } else if (kind === 'nested_type_identifier') {
    facts.memberUses.push({ object: node.field('module')?.text() ?? '', property: node.field('name')?.text() ?? '', line: lineOf(node) });
  } else return false;
  return true;
}

export function tsConstruction(node: SgNode, text: string): Construction {
  const line = lineOf(node);
  return {
    callee: node.field('constructor')?.text() ?? '',
    line,
    column: node.range().start.column + 1,
    enclosing: enclosingScopes(node),
    snippet: snippetOf(text, node),
  };
}
