import type { SgNode } from '@ast-grep/napi';
import type { Construction, MemberUse } from './file-facts.js';
import { enclosingScopes } from './enclosing-scopes.js';
import { escapeRegex, lineOf, snippetOf } from './syntax-node.js';

/**
 * `new X(…)` where X is the concept, an alias of it, or `something.Concept`. The callee regex
 * runs inside ast-grep, so files full of other `new` expressions cost nothing extra.
 */
export function extractTsConstructions(root: SgNode, names: readonly string[], aliases: readonly string[], text: string): Construction[] {
  if (names.length === 0) return [];
  const local = [...names, ...aliases].map(escapeRegex).join('|');
  const member = names.map(escapeRegex).join('|');
  const pattern = `^(?:${local})$|\\.(?:${member})$`;
  const rule = { rule: { kind: 'new_expression', has: { field: 'constructor', regex: pattern } } };
  return root.findAll(rule).map((node) => {
    const callee = node.field('constructor')?.text() ?? '';
    const line = lineOf(node);
    return { callee, line, column: node.range().start.column + 1, enclosing: enclosingScopes(node), snippet: snippetOf(text, node) };
  });
}

/** `ns.Concept` in values and types: how a namespace or CommonJS import reaches the concept. */
export function extractTsMemberUses(root: SgNode, names: readonly string[]): MemberUse[] {
  if (names.length === 0) return [];
  const pattern = `^(?:${names.map(escapeRegex).join('|')})$`;
  const rule = {
    rule: {
      any: [
        { kind: 'member_expression', has: { field: 'property', regex: pattern } },
        { kind: 'nested_type_identifier', has: { field: 'name', regex: pattern } },
      ],
    },
  };
  return root.findAll(rule).map((node) => {
    const isType = node.kind() === 'nested_type_identifier';
    const object = node.field(isType ? 'module' : 'object')?.text() ?? '';
    const property = node.field(isType ? 'name' : 'property')?.text() ?? '';
    return { object, property, line: lineOf(node) };
  });
}
