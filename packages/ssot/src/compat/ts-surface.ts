import type { SgNode } from '@ast-grep/napi';
import type { OwnSurface } from './py-surface.js';
import type { Parameter, Signature } from './signature.js';

const MEMBER_KINDS = new Set([
  'method_definition', 'public_field_definition', 'method_signature', 'abstract_method_signature', 'property_signature', 'field_definition',
]);

/** A TS/JS class's own members (parameter properties included) and constructor. */
export function tsOwnSurface(node: SgNode, at: string): OwnSurface {
  const members = new Set<string>();
  let constructor: Signature | null = null;
  let dynamic = false;
  for (const child of node.field('body')?.children() ?? []) {
    const kind = String(child.kind());
    if (kind === 'index_signature') dynamic = true;
    if (!MEMBER_KINDS.has(kind)) continue;
    const name = child.field('name')?.text() ?? '';
    if (name === 'constructor' && kind === 'method_definition') {
      constructor = tsParameters(child, at, members);
      continue;
    }
    members.add(name.replace(/^['"]|['"]$/g, ''));
  }
  return { members, constructor, bases: tsBases(node), dynamic };
}

/** Only `extends` brings members; `implements` promises members the class must declare itself. */
function tsBases(node: SgNode): string[] {
  const heritage = node.children().find((child) => child.kind() === 'class_heritage');
  const extendsClause = heritage?.children().find((child) => child.kind() === 'extends_clause');
  const value = extendsClause?.field('value') ?? extendsClause?.namedChildren()[0];
  return value === undefined ? [] : [value.text().replace(/<.*$/s, '')];
}

function tsParameters(method: SgNode, at: string, members: Set<string>): Signature {
  const parameters: Parameter[] = [];
  let restPositional = false;
  for (const parameter of method.field('parameters')?.namedChildren() ?? []) {
    const kind = String(parameter.kind());
    if (kind !== 'required_parameter' && kind !== 'optional_parameter') continue;
    const pattern = parameter.field('pattern');
    if (pattern === null || pattern.text() === 'this') continue;
    if (pattern.kind() === 'rest_pattern') {
      restPositional = true;
      continue;
    }
    // `constructor(private readonly emitter: Emitter)` declares a member too.
    if (parameter.children().some((child) => child.kind() === 'accessibility_modifier' || child.text() === 'readonly')) members.add(pattern.text());
    const required = kind === 'required_parameter' && parameter.field('value') === null;
    parameters.push({ name: pattern.text(), kind: 'positional', required });
  }
  return { parameters, restPositional, restKeyword: false, at };
}
