import type { SgNode } from '@ast-grep/napi';
import type { Parameter, Signature } from './signature.js';

/** A class's own members and constructor, read from its syntax; bases are resolved by the caller. */
export interface OwnSurface {
  readonly members: ReadonlySet<string>;
  /** The class's own constructor; null when it declares none (then a base's applies). */
  readonly constructor: Signature | null;
  readonly bases: readonly string[];
  /** `__getattr__` or an index signature: any member name may exist. */
  readonly dynamic: boolean;
}

/** Bases that add no members a caller could use by name. */
const NEUTRAL_BASES = /^(?:object|(?:abc\.)?ABC|(?:typing\.)?(?:Generic|Protocol)(?:\[.*\])?)$/s;

export function pyOwnSurface(node: SgNode, at: string): OwnSurface {
  const members = new Set<string>();
  let constructor: Signature | null = null;
  let dynamic = false;
  let dataclass = false;
  for (const decorator of node.parent()?.kind() === 'decorated_definition' ? (node.parent()?.children() ?? []) : []) {
    if (decorator.kind() === 'decorator' && /\bdataclass\b/.test(decorator.text())) dataclass = true;
  }
  const fields: Parameter[] = [];
  for (const statement of node.field('body')?.children() ?? []) {
    const target = statement.kind() === 'decorated_definition' ? (statement.field('definition') ?? statement) : statement;
    const kind = String(target.kind());
    if (kind === 'function_definition' || kind === 'class_definition') {
      const name = target.field('name')?.text() ?? '';
      members.add(name);
      if (name === '__getattr__') dynamic = true;
      if (name === '__init__' && kind === 'function_definition') constructor = pyParameters(target, at);
    } else if (kind === 'expression_statement') {
      const assignment = target.child(0);
      const left = assignment?.kind() === 'assignment' ? assignment.field('left') : null;
      if (left?.kind() === 'identifier') {
        members.add(left.text());
        if (dataclass && assignment?.field('type') !== null) fields.push({ name: left.text(), kind: 'either', required: assignment?.field('right') === null });
      }
    }
  }
  for (const attribute of node.findAll({ rule: { kind: 'attribute', has: { field: 'object', regex: '^self$' }, inside: { kind: 'assignment', field: 'left', stopBy: 'end' } } })) {
    members.add(attribute.field('attribute')?.text() ?? '');
  }
  if (constructor === null && dataclass) constructor = { parameters: fields, restPositional: false, restKeyword: false, at };
  const bases = (node.field('superclasses')?.namedChildren() ?? [])
    .filter((child) => child.kind() !== 'keyword_argument')
    .map((child) => child.text())
    .filter((base) => !NEUTRAL_BASES.test(base));
  return { members, constructor, bases, dynamic };
}

/** `def __init__(self, a, b=1, /, c, *args, d, **kwargs)` as a Signature (without `self`). */
function pyParameters(method: SgNode, at: string): Signature {
  const parameters: Parameter[] = [];
  let restPositional = false;
  let restKeyword = false;
  let keywordOnly = false;
  const children = (method.field('parameters')?.namedChildren() ?? []).slice(1);
  for (const parameter of children) {
    const kind = String(parameter.kind());
    const inner = kind === 'typed_parameter' ? (parameter.namedChildren()[0] ?? parameter) : parameter;
    const innerKind = String(inner.kind());
    if (innerKind === 'list_splat_pattern') {
      restPositional = true;
      keywordOnly = true;
    } else if (innerKind === 'dictionary_splat_pattern') restKeyword = true;
    else if (kind === 'keyword_separator') keywordOnly = true;
    else if (kind === 'positional_separator') {
      for (let index = 0; index < parameters.length; index += 1) {
        const before = parameters[index] as Parameter;
        parameters[index] = { ...before, kind: 'positional' };
      }
    } else {
      const optional = kind === 'default_parameter' || kind === 'typed_default_parameter';
      const name = optional ? (parameter.field('name')?.text() ?? '') : inner.text();
      parameters.push({ name, kind: keywordOnly ? 'keyword' : 'either', required: !optional });
    }
  }
  return { parameters, restPositional, restKeyword, at };
}
