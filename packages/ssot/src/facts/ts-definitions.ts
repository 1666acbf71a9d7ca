import type { SgNode } from '@ast-grep/napi';
import type { Definition, DefinitionKind, LocalExport } from './file-facts.js';
import type { RuleGates } from './rule-gates.js';
import { lineOf } from './syntax-node.js';

const KIND_BY_NODE: ReadonlyMap<string, DefinitionKind> = new Map([
  ['class_declaration', 'class'],
  ['abstract_class_declaration', 'class'],
  ['function_declaration', 'function'],
  ['generator_function_declaration', 'function'],
  ['function_signature', 'function'],
  ['type_alias_declaration', 'type'],
  ['interface_declaration', 'interface'],
  ['enum_declaration', 'enum'],
  ['variable_declarator', 'variable'],
]);

const CLASS_KINDS = new Set(['class_declaration', 'abstract_class_declaration', 'interface_declaration']);
const SCOPE_KINDS = new Set([
  'function_declaration', 'function_expression', 'arrow_function', 'method_definition',
  'generator_function_declaration', 'function', 'generator_function',
]);
const MEMBER_KINDS = new Set([
  'method_definition', 'public_field_definition', 'method_signature', 'abstract_method_signature',
  'property_signature', 'field_definition',
]);
const EXPORTS_OBJECT = '^(?:module\\.)?exports$';

/**
 * ast-grep rules for definitions whose name matches `pattern` (and every class when asked),
 * without the rules `gates` says cannot match in this file.
 */
export function tsDefinitionRules(pattern: string, allClasses: boolean, gates: RuleGates): object[] {
  const rules: object[] = gates.definitions ? [...KIND_BY_NODE.keys()].map((kind) => ({ kind, has: { field: 'name', regex: pattern } })) : [];
  if (allClasses) rules.push({ kind: 'class_declaration' }, { kind: 'abstract_class_declaration' });
  if (gates.definitions && gates.exports) {
    rules.push({
      kind: 'assignment_expression',
      has: {
        field: 'left',
        kind: 'member_expression',
        all: [{ has: { field: 'object', regex: EXPORTS_OBJECT } }, { has: { field: 'property', regex: pattern } }],
      },
    });
  }
  // `module.exports = { X, Y: Z }` and `module.exports = X`.
  if (gates.moduleExports) rules.push({ kind: 'assignment_expression', has: { field: 'left', regex: '^module\\.exports$' } });
  return rules;
}

export interface TsDefinitionFacts {
  readonly definitions: Definition[];
  readonly localExports: LocalExport[];
}

/**
 * Records a node matched by tsDefinitionRules; false for other kinds. Definitions count at
 * module level and inside classes and namespaces: one local to a function body is a variable,
 * not a competing implementation.
 */
export function collectTsDefinitionNode(node: SgNode, kind: string, ambientFile: boolean, facts: TsDefinitionFacts): boolean {
  if (kind === 'assignment_expression') {
    commonJsExport(node, facts.definitions, facts.localExports);
    return true;
  }
  if (!KIND_BY_NODE.has(kind)) return false;
  const definition = definitionOf(node, ambientFile);
  if (definition !== null) facts.definitions.push(definition);
  return true;
}

function definitionOf(node: SgNode, ambientFile: boolean): Definition | null {
  const nodeKind = String(node.kind());
  const nameNode = node.field('name');
  if (nameNode === null || nameNode.kind() === 'object_pattern' || nameNode.kind() === 'array_pattern') return null;
  const name = nameNode.text();
  let exported: Definition['exported'] = 'none';
  let ambient = ambientFile;
  const qualifiers: string[] = [];
  for (const ancestor of node.ancestors()) {
    const kind = String(ancestor.kind());
    if (SCOPE_KINDS.has(kind)) return null;
    if (CLASS_KINDS.has(kind) || kind === 'internal_module') qualifiers.unshift(ancestor.field('name')?.text() ?? '');
    else if (kind === 'export_statement') exported = ancestor.children().some((c) => c.kind() === 'default') ? 'default' : 'named';
    else if (kind === 'ambient_declaration' || kind === 'module') ambient = true;
  }
  const isClass = CLASS_KINDS.has(nodeKind);
  return {
    name,
    qualifiedName: [...qualifiers, name].join('.'),
    kind: nodeKind === 'variable_declarator' ? variableKind(node) : (KIND_BY_NODE.get(nodeKind) ?? 'variable'),
    line: lineOf(node),
    exported,
    ambient,
    members: isClass ? classMembers(node) : [],
    bases: isClass ? classBases(node) : [],
  };
}

/** `const X = Y` only renames; `const X = class {}` or a factory call defines something new. */
function variableKind(declarator: SgNode): DefinitionKind {
  const value = declarator.field('value');
  if (value === null) return 'variable';
  const kind = String(value.kind());
  if (kind === 'identifier' || kind === 'member_expression') return 'alias';
  if (kind === 'class') return 'class';
  if (kind === 'arrow_function' || kind === 'function_expression' || kind === 'function') return 'function';
  return 'variable';
}

function classMembers(node: SgNode): string[] {
  const body = node.field('body');
  if (body === null) return [];
  const members = new Set<string>();
  for (const child of body.children()) {
    if (!MEMBER_KINDS.has(String(child.kind()))) continue;
    const name = child.field('name')?.text();
    if (name !== undefined) members.add(name);
  }
  return [...members];
}

function classBases(node: SgNode): string[] {
  const heritage = node.children().find((child) => child.kind() === 'class_heritage' || child.kind() === 'extends_type_clause');
  if (heritage === undefined) return [];
  return heritage
    .text()
    .replace(/\b(?:extends|implements)\b/g, ',')
    .split(',')
    .map((base) => base.trim())
    .filter((base) => base.length > 0);
}

/** `exports.X = class …` defines X; `exports.X = Y` exports the local binding Y as X. */
function commonJsExport(node: SgNode, definitions: Definition[], localExports: LocalExport[]): void {
  if (node.field('left')?.text() === 'module.exports') {
    moduleExports(node.field('right'), localExports);
    return;
  }
  const property: SgNode | null = node.field('left')?.field('property') ?? null;
  const value = node.field('right');
  if (property === null || value === null) return;
  const name = property.text();
  if (value.kind() === 'identifier') {
    localExports.push({ local: value.text(), exported: name });
    return;
  }
  const isClass = value.kind() === 'class';
  definitions.push({
    name,
    qualifiedName: name,
    kind: isClass ? 'class' : 'export-assignment',
    line: lineOf(node),
    exported: 'named',
    ambient: false,
    members: isClass ? classMembers(value) : [],
    bases: isClass ? classBases(value) : [],
  });
}

function moduleExports(value: SgNode | null, localExports: LocalExport[]): void {
  if (value === null) return;
  if (value.kind() === 'identifier') {
    localExports.push({ local: value.text(), exported: 'default' });
    return;
  }
  if (value.kind() !== 'object') return;
  for (const entry of value.namedChildren()) {
    if (entry.kind() === 'shorthand_property_identifier') localExports.push({ local: entry.text(), exported: entry.text() });
    else if (entry.kind() === 'pair' && entry.field('value')?.kind() === 'identifier') {
      localExports.push({ local: entry.field('value')?.text() ?? '', exported: entry.field('key')?.text() ?? '' });
    }
  }
}
