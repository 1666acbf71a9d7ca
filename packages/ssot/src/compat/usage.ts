import type { SgNode } from '@ast-grep/napi';
import type { CallShape } from './signature.js';

/** One way a file uses the concept's API, with its line. */
export type ApiUse =
  | { readonly kind: 'construct'; readonly line: number; readonly call: CallShape; readonly text: string }
  | { readonly kind: 'instance-member' | 'class-member'; readonly line: number; readonly member: string; readonly via: string };

/** Attribute names every object has: never a missing member. */
const UNIVERSAL = /^(?:__\w+__|constructor|prototype|name|length|call|apply|bind|toString|valueOf|hasOwnProperty)$/;

/**
 * What a file does with the class it knows as `local` (`Notifier`, `WSN`, `ns.Notifier`):
 * constructions with their arguments, members read on the class, and members read on the
 * instances it can follow by name — variables and attributes assigned a construction, and
 * parameters or fields annotated with the class. Names are matched within the file, not per
 * scope: a name reused for something else in another function can add a false mismatch, never
 * hide one.
 */
export function apiUses(root: SgNode, python: boolean, local: string): ApiUse[] {
  const uses: ApiUse[] = [];
  const instances = new Set<string>();
  const callKind = python ? 'call' : 'new_expression';
  const calleeField = python ? 'function' : 'constructor';
  for (const call of root.findAll({ rule: { kind: callKind, has: { field: calleeField, regex: `^${escape(local)}$` } } })) {
    uses.push({ kind: 'construct', line: call.range().start.line + 1, call: callShape(call.field('arguments'), python), text: oneLine(call.text()) });
    const bound = boundName(call, python);
    if (bound !== null) instances.add(bound);
    chained(call, python, uses);
  }
  for (const name of annotatedNames(root, python, local)) instances.add(name);
  const memberKind = python ? 'attribute' : 'member_expression';
  const propertyField = python ? 'attribute' : 'property';
  for (const access of root.findAll({ rule: { kind: memberKind } })) {
    const object = access.field('object')?.text() ?? '';
    const member = access.field(propertyField)?.text() ?? '';
    if (UNIVERSAL.test(member)) continue;
    const line = access.range().start.line + 1;
    if (object === local) uses.push({ kind: 'class-member', line, member, via: local });
    else if (instances.has(object)) uses.push({ kind: 'instance-member', line, member, via: object });
  }
  return uses;
}

/** `X(…).send()`: a member read straight off the new instance. */
function chained(call: SgNode, python: boolean, uses: ApiUse[]): void {
  const parent = call.parent();
  if (parent === null || parent.kind() !== (python ? 'attribute' : 'member_expression')) return;
  if (parent.field('object')?.range().start.index !== call.range().start.index) return;
  const member = parent.field(python ? 'attribute' : 'property')?.text() ?? '';
  if (!UNIVERSAL.test(member)) uses.push({ kind: 'instance-member', line: parent.range().start.line + 1, member, via: 'a new instance' });
}

function callShape(args: SgNode | null, python: boolean): CallShape {
  let positional = 0;
  const keywords: string[] = [];
  let spread = false;
  for (const arg of args?.namedChildren() ?? []) {
    const kind = String(arg.kind());
    if (kind === 'comment') continue;
    if (kind === 'list_splat' || kind === 'dictionary_splat' || kind === 'spread_element') spread = true;
    else if (python && kind === 'keyword_argument') keywords.push(arg.field('name')?.text() ?? '');
    else positional += 1;
  }
  return { positional, keywords, spread };
}

/** `x = C()`, `self.x = C()`, `const x = new C()`, `this.x = new C()`, `with C() as x`. */
function boundName(call: SgNode, python: boolean): string | null {
  let parent = call.parent();
  if (!python && parent?.kind() === 'await_expression') parent = parent.parent();
  if (parent === null) return null;
  const kind = String(parent.kind());
  if (kind === 'assignment' || kind === 'assignment_expression') return parent.field('left')?.text() ?? null;
  if (kind === 'variable_declarator') return parent.field('name')?.text() ?? null;
  if (kind === 'public_field_definition') return `this.${parent.field('name')?.text() ?? ''}`;
  if (kind === 'as_pattern') return parent.field('alias')?.text() ?? null;
  if (kind === 'with_item') return parent.find({ rule: { kind: 'as_pattern_target' } })?.text() ?? null;
  return null;
}

/** Parameters, variables and fields whose declared type is the class (or the class or None). */
function annotatedNames(root: SgNode, python: boolean, local: string): string[] {
  const type = new RegExp(`^["']?(?:${escape(local)}|Optional\\[${escape(local)}\\]|${escape(local)}\\s*\\|\\s*None|None\\s*\\|\\s*${escape(local)}|${escape(local)}\\s*\\|\\s*(?:null|undefined))["']?$`);
  const names: string[] = [];
  if (python) {
    for (const node of root.findAll({ rule: { any: [{ kind: 'typed_parameter' }, { kind: 'typed_default_parameter' }, { kind: 'assignment' }] } })) {
      const annotation = node.field('type')?.text();
      if (annotation === undefined || !type.test(annotation)) continue;
      const name = node.kind() === 'typed_parameter' ? node.namedChildren()[0]?.text() : (node.field('name') ?? node.field('left'))?.text();
      if (name !== undefined) names.push(name);
    }
    return names;
  }
  for (const node of root.findAll({ rule: { any: [{ kind: 'required_parameter' }, { kind: 'optional_parameter' }, { kind: 'variable_declarator' }, { kind: 'public_field_definition' }] } })) {
    const annotation = node.field('type')?.text().replace(/^:\s*/, '');
    if (annotation === undefined || !type.test(annotation)) continue;
    const kind = String(node.kind());
    const name = (kind.endsWith('parameter') ? node.field('pattern') : node.field('name'))?.text();
    if (name === undefined) continue;
    const isProperty = kind === 'public_field_definition' || node.children().some((child) => child.kind() === 'accessibility_modifier');
    names.push(kind === 'public_field_definition' ? `this.${name}` : name);
    if (isProperty && kind !== 'public_field_definition') names.push(`this.${name}`);
  }
  return names;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}
