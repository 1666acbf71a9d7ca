import type { SgNode } from '@ast-grep/napi';
import type { Definition, DefinitionKind, LocalExport } from './file-facts.js';
import type { RuleGates } from './rule-gates.js';
import { lineOf } from './syntax-node.js';

const ALIAS_VALUES = new Set(['identifier', 'attribute', 'none']);

/**
 * ast-grep rules for definitions whose name matches `pattern`, `__all__`, and every class when
 * asked, without the rules `gates` says cannot match in this file.
 */
export function pyDefinitionRules(pattern: string, allClasses: boolean, gates: RuleGates): object[] {
  const rules: object[] = [];
  if (gates.definitions) {
    rules.push(
      { kind: 'class_definition', has: { field: 'name', regex: pattern } },
      { kind: 'function_definition', has: { field: 'name', regex: pattern } },
      { kind: 'assignment', has: { field: 'left', kind: 'identifier', regex: pattern } },
    );
  }
  if (gates.dunderAll) rules.push({ kind: 'assignment', has: { field: 'left', kind: 'identifier', regex: '^__all__$' } });
  if (gates.definitions) rules.push({ kind: 'type_alias_statement', has: { field: 'left', regex: pattern } });
  if (allClasses) rules.push({ kind: 'class_definition' });
  return rules;
}

export interface PyDefinitionFacts {
  readonly definitions: Definition[];
  readonly localExports: LocalExport[];
}

/**
 * Records a node matched by pyDefinitionRules. Classes, functions, module- and class-level
 * assignments and type aliases count; assignments inside functions are locals, and
 * `X = None` after a failed import is a placeholder, kept as an `alias` so it is listed but
 * never counted as an implementation.
 */
export function collectPyDefinitionNode(node: SgNode, kind: string, stubFile: boolean, facts: PyDefinitionFacts): boolean {
  if (kind !== 'class_definition' && kind !== 'function_definition' && kind !== 'assignment' && kind !== 'type_alias_statement') return false;
  if (kind === 'assignment' && node.field('left')?.text() === '__all__') {
    facts.localExports.push(...dunderAll(node));
    return true;
  }
  const definition = definitionOf(node, stubFile);
  if (definition !== null) facts.definitions.push(definition);
  return true;
}

function definitionOf(node: SgNode, stubFile: boolean): Definition | null {
  const kind = String(node.kind());
  const name = (kind === 'type_alias_statement' ? node.field('left') : node.field(kind === 'assignment' ? 'left' : 'name'))?.text();
  if (name === undefined) return null;
  const qualifiers: string[] = [];
  for (const ancestor of node.ancestors()) {
    const ancestorKind = String(ancestor.kind());
    if (ancestorKind === 'function_definition' || ancestorKind === 'lambda') return null;
    if (ancestorKind === 'class_definition') qualifiers.unshift(ancestor.field('name')?.text() ?? '');
  }
  const isClass = kind === 'class_definition';
  return {
    name,
    qualifiedName: [...qualifiers, name].join('.'),
    kind: definitionKind(node, kind),
    line: lineOf(node),
    exported: name.startsWith('_') && !name.startsWith('__') ? 'none' : 'named',
    ambient: stubFile,
    members: isClass ? classMembers(node) : [],
    bases: isClass ? classBases(node) : [],
  };
}

function definitionKind(node: SgNode, kind: string): DefinitionKind {
  if (kind === 'class_definition') return 'class';
  if (kind === 'function_definition') return 'function';
  if (kind === 'type_alias_statement') return 'type';
  if (node.field('type')?.text().endsWith('TypeAlias') === true) return 'type';
  const value = node.field('right');
  if (value === null || ALIAS_VALUES.has(String(value.kind()))) return 'alias';
  return value.kind() === 'lambda' ? 'function' : 'variable';
}

function classMembers(node: SgNode): string[] {
  const members = new Set<string>();
  for (const statement of node.field('body')?.children() ?? []) {
    let target = statement;
    if (target.kind() === 'decorated_definition') target = target.field('definition') ?? target;
    const kind = String(target.kind());
    if (kind === 'function_definition' || kind === 'class_definition') {
      const name = target.field('name')?.text();
      if (name !== undefined) members.add(name);
    } else if (kind === 'expression_statement') {
      const assigned = target.child(0)?.field('left');
      if (assigned?.kind() === 'identifier') members.add(assigned.text());
    }
  }
  return [...members];
}

function classBases(node: SgNode): string[] {
  const superclasses = node.field('superclasses');
  if (superclasses === null) return [];
  return superclasses.namedChildren().filter((child) => child.kind() !== 'keyword_argument').map((child) => child.text());
}

/** `__all__ = ['A', 'B']`: the names a star import takes, and the module's declared exports. */
function dunderAll(node: SgNode): LocalExport[] {
  return (node.field('right')?.findAll({ rule: { kind: 'string_content' } }) ?? []).map((content) => ({
    local: content.text(),
    exported: content.text(),
  }));
}
