import type { SgNode } from '@ast-grep/napi';

/**
 * Node kinds that give a piece of code a name a factory can be recognised by: functions,
 * methods, classes, and the variables or object keys that hold a function.
 */
const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'lambda']);
/** These name a scope only when they hold a function: `const a = new X()` is not a factory. */
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

/** Names of the scopes around a node, innermost first: `['create', 'AgentInstanceFactory']`. */
export function enclosingScopes(node: SgNode): string[] {
  const names: string[] = [];
  let insideFunction = false;
  for (const ancestor of node.ancestors()) {
    const kind = String(ancestor.kind());
    if (FUNCTION_VALUES.has(kind)) insideFunction = true;
    const field = NAMED_SCOPES.get(kind);
    if (field === undefined || (HOLDERS.has(kind) && !insideFunction)) continue;
    const name = ancestor.field(field)?.text();
    if (name !== undefined) names.push(name);
  }
  return names;
}
