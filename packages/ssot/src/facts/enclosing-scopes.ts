import type { SgNode } from '@ast-grep/napi';

/**
 * Node kinds that give a piece of code a name a factory can be recognised by: functions,
 * methods, classes, and the variables or object keys that hold a function.
 */
const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'lambda']);
/** These name a scope only when they hold a function directly: `const a = new X()` is no factory. */
const HOLDERS = new Set(['variable_declarator', 'public_field_definition', 'field_definition', 'pair']);

const NAMED_SCOPES: ReadonlyMap<string, string> = new Map([
  ['function_declaration', 'name'],
  ['generator_function_declaration', 'name'],
  ['method_definition', 'name'],
  ['class_declaration', 'name'],
  ['abstract_class_declaration', 'name'],
  ['variable_declarator', 'name'],
  ['public_field_definition', 'name'],
  ['field_definition', 'property'],
  ['pair', 'key'],
  ['function_definition', 'name'],
  ['class_definition', 'name'],
]);

/**
 * Names of the scopes around a node, innermost first: `['create', 'AgentInstanceFactory']`.
 * An anonymous function is named by what holds it (`const make = () => …` → `make`) or by the
 * call it is passed to (`it('…', () => …)` → `it(…)`), so test callbacks read as such.
 */
export function enclosingScopes(node: SgNode): string[] {
  const names: string[] = [];
  let anonymous = false;
  for (const ancestor of node.ancestors()) {
    const kind = String(ancestor.kind());
    if (FUNCTION_VALUES.has(kind)) {
      names.push('<anonymous>');
      anonymous = true;
      continue;
    }
    const isCall = kind === 'call_expression' || kind === 'call';
    const field = isCall ? 'function' : NAMED_SCOPES.get(kind);
    if (field === undefined || ((isCall || HOLDERS.has(kind)) && !anonymous)) continue;
    const name = ancestor.field(field)?.text();
    if (name === undefined) continue;
    if (anonymous) names[names.length - 1] = isCall ? `${name.length > 40 ? `…${name.slice(-39)}` : name}(…)` : name;
    else names.push(name);
    anonymous = false;
  }
  return names;
}
