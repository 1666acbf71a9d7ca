import type { SgNode } from '@ast-grep/napi';
import type { ImportName, ImportSite, LocalExport } from './file-facts.js';
import type { RuleGates } from './rule-gates.js';
import { lineOf, spanOf, stringValue } from './syntax-node.js';

/** ast-grep rules for every node that references a module (`require` calls only when the word occurs). */
export function tsModuleRules(gates: RuleGates): object[] {
  return [
    { kind: 'import_statement' },
    // Only exports that name a module or a local binding; `export class X` is a definition.
    {
      kind: 'export_statement',
      any: [{ has: { field: 'source', kind: 'string' } }, { has: { kind: 'export_clause' } }, { has: { kind: 'identifier' } }],
    },
    gates.require
      ? { kind: 'call_expression', has: { field: 'function', any: [{ kind: 'import' }, { kind: 'identifier', regex: '^require$' }] } }
      : { kind: 'call_expression', has: { field: 'function', kind: 'import' } },
  ];
}

const FUNCTION_KINDS = new Set([
  'function_declaration', 'function_expression', 'arrow_function', 'method_definition',
  'generator_function_declaration', 'function', 'generator_function',
]);

export interface TsModuleFacts {
  readonly imports: ImportSite[];
  readonly localExports: LocalExport[];
}

/**
 * Records one node matched by tsModuleRules; returns false for nodes of other kinds. Static
 * imports, re-exports, `require()`, `import()`, and exports that name a local binding.
 */
export function collectTsModuleNode(node: SgNode, kind: string, facts: TsModuleFacts): boolean {
  if (kind === 'import_statement') pushDefined(facts.imports, importStatement(node));
  else if (kind === 'export_statement') exportStatement(node, facts);
  else if (kind === 'call_expression') pushDefined(facts.imports, callReference(node));
  else return false;
  return true;
}

function pushDefined<T>(list: T[], item: T | null): void {
  if (item !== null) list.push(item);
}

function importStatement(node: SgNode): ImportSite | null {
  const children = node.children();
  const typeOnly = children.some((child) => child.kind() === 'type');
  let source = node.field('source');
  const names: ImportName[] = [];
  let namespace: string | null = null;
  let kind: ImportSite['kind'] = 'import';
  for (const child of children) {
    const childKind = String(child.kind());
    if (childKind === 'import_clause') namespace = importClause(child, names);
    else if (childKind === 'import_require_clause') {
      source = child.find({ rule: { kind: 'string' } });
      namespace = child.find({ rule: { kind: 'identifier' } })?.text() ?? null;
      kind = 'require';
    }
  }
  if (source === null) return null;
  return site(node, source, { kind, names, namespace, typeOnly, topLevel: true });
}

/** Fills `names` from an import clause and returns the namespace binding, if any. */
function importClause(clause: SgNode, names: ImportName[]): string | null {
  let namespace: string | null = null;
  for (const part of clause.children()) {
    const kind = String(part.kind());
    if (kind === 'identifier') {
      names.push({ imported: 'default', local: part.text(), text: part.text(), span: spanOf(part) });
    } else if (kind === 'namespace_import') {
      namespace = part.find({ rule: { kind: 'identifier' } })?.text() ?? null;
    } else if (kind === 'named_imports') {
      for (const specifier of part.findAll({ rule: { kind: 'import_specifier' } })) names.push(specifierName(specifier));
    }
  }
  return namespace;
}

function specifierName(specifier: SgNode): ImportName {
  const name = specifier.field('name')?.text() ?? '';
  const alias = specifier.field('alias')?.text();
  return { imported: name, local: alias ?? name, text: specifier.text(), span: spanOf(specifier) };
}

function exportStatement(node: SgNode, facts: TsModuleFacts): void {
  const source = node.field('source');
  const children = node.children();
  const clause = children.find((child) => child.kind() === 'export_clause');
  if (source === null) {
    if (clause !== undefined) {
      for (const specifier of clause.findAll({ rule: { kind: 'export_specifier' } })) {
        const { imported, local } = specifierName(specifier);
        facts.localExports.push({ local: imported, exported: local });
      }
      return;
    }
    // `export default X;` and `export = X;` re-export a local binding.
    const value = node.field('value') ?? children.find((child) => child.kind() === 'identifier');
    if (value?.kind() === 'identifier') facts.localExports.push({ local: value.text(), exported: 'default' });
    return;
  }
  const typeOnly = children.some((child) => child.kind() === 'type');
  const names: ImportName[] = [];
  let namespace: string | null = null;
  let kind: ImportSite['kind'] = 're-export';
  if (clause !== undefined) {
    for (const specifier of clause.findAll({ rule: { kind: 'export_specifier' } })) names.push(specifierName(specifier));
  } else {
    const namespaceExport = children.find((child) => child.kind() === 'namespace_export');
    if (namespaceExport === undefined) kind = 'star';
    else namespace = namespaceExport.find({ rule: { kind: 'identifier' } })?.text() ?? null;
  }
  pushDefined(facts.imports, site(node, source, { kind, names, namespace, typeOnly, topLevel: true }));
}

/** `require('x')` and `import('x')`, with what the surrounding code binds from them. */
function callReference(call: SgNode): ImportSite | null {
  const argument = call.field('arguments')?.child(1) ?? null;
  if (argument === null || (argument.kind() !== 'string' && argument.kind() !== 'template_string')) return null;
  const isRequire = call.field('function')?.kind() === 'identifier';
  const names: ImportName[] = [];
  let namespace: string | null = null;
  let holder = call.parent();
  if (holder?.kind() === 'await_expression') holder = holder.parent();
  if (holder?.kind() === 'variable_declarator') namespace = bindingPattern(holder.field('name'), names);
  else if (holder?.kind() === 'member_expression') {
    const property = holder.field('property');
    if (property !== null) names.push({ imported: property.text(), local: property.text(), text: property.text(), span: spanOf(property) });
  }
  const statement = holder?.kind() === 'variable_declarator' ? (holder.parent() ?? call) : call;
  const topLevel = !call.ancestors().some((ancestor) => FUNCTION_KINDS.has(String(ancestor.kind())));
  return site(statement, argument, { kind: isRequire ? 'require' : 'dynamic', names, namespace, typeOnly: false, topLevel });
}

/** `const x = require()` binds a namespace; `const { a, b: c } = require()` binds names. */
function bindingPattern(pattern: SgNode | null, names: ImportName[]): string | null {
  if (pattern === null) return null;
  if (pattern.kind() === 'identifier') return pattern.text();
  if (pattern.kind() !== 'object_pattern') return null;
  for (const part of pattern.children()) {
    const kind = String(part.kind());
    if (kind === 'shorthand_property_identifier_pattern') {
      names.push({ imported: part.text(), local: part.text(), text: part.text(), span: spanOf(part) });
    } else if (kind === 'pair_pattern') {
      const key = part.field('key')?.text() ?? '';
      const value = part.field('value')?.text() ?? key;
      names.push({ imported: key, local: value, text: part.text(), span: spanOf(part) });
    }
  }
  return null;
}

interface SiteShape {
  readonly kind: ImportSite['kind'];
  readonly names: ImportName[];
  readonly namespace: string | null;
  readonly typeOnly: boolean;
  readonly topLevel: boolean;
}

function site(statement: SgNode, source: SgNode, shape: SiteShape): ImportSite | null {
  const specifier = stringValue(source);
  if (specifier === null) return null;
  const literal = spanOf(source);
  return {
    ...shape,
    specifier,
    line: lineOf(statement),
    statement: spanOf(statement),
    // The span of the text between the quotes, so a fix keeps the file's quote style.
    source: { start: literal.start + 1, end: literal.end - 1 },
  };
}
