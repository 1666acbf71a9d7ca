import type { SgNode } from '@ast-grep/napi';

/**
 * Names a module offers at its top level: what `from m import X`, `m.X` and `patch('m.X')` can
 * reach. Null when it cannot be listed (a TS `export *` or a Python `from x import *`), so a
 * caller assumes any name may be there.
 */
export function moduleNames(root: SgNode, python: boolean): ReadonlySet<string> | null {
  return python ? pythonNames(root) : tsNames(root);
}

function pythonNames(root: SgNode): Set<string> | null {
  const names = new Set<string>();
  for (const statement of root.children()) {
    const target = statement.kind() === 'decorated_definition' ? (statement.field('definition') ?? statement) : statement;
    const kind = String(target.kind());
    if (kind === 'class_definition' || kind === 'function_definition') names.add(target.field('name')?.text() ?? '');
    else if (kind === 'expression_statement') {
      const left = target.child(0)?.field('left');
      for (const identifier of left?.kind() === 'identifier' ? [left] : (left?.findAll({ rule: { kind: 'identifier' } }) ?? [])) names.add(identifier.text());
    } else if (kind === 'import_from_statement') {
      if (target.find({ rule: { kind: 'wildcard_import' } }) !== null) return null;
      for (const name of target.fieldChildren('name')) names.add((name.field('alias') ?? name).text().split('.')[0] ?? '');
    } else if (kind === 'import_statement') {
      for (const name of target.fieldChildren('name')) names.add((name.field('alias') ?? name).text().split('.')[0] ?? '');
    } else if (kind === 'if_statement' || kind === 'try_statement') {
      // `try: from x import Y` / `except ImportError: Y = None`: names defined either way.
      for (const nested of target.findAll({ rule: { any: [{ kind: 'class_definition' }, { kind: 'function_definition' }, { kind: 'dotted_name', inside: { kind: 'import_from_statement', field: 'name' } }, { kind: 'identifier', inside: { kind: 'assignment', field: 'left' } }] } })) {
        names.add((nested.field('name') ?? nested).text().split('.')[0] ?? '');
      }
    }
  }
  return names;
}

function tsNames(root: SgNode): Set<string> | null {
  const names = new Set<string>();
  for (const statement of root.findAll({ rule: { kind: 'export_statement' } })) {
    if (statement.parent()?.kind() !== 'program') continue;
    const clause = statement.find({ rule: { kind: 'export_clause' } });
    const declaration = statement.field('declaration');
    if (clause !== null) {
      for (const specifier of clause.findAll({ rule: { kind: 'export_specifier' } })) names.add((specifier.field('alias') ?? specifier.field('name'))?.text() ?? '');
    } else if (declaration !== null) {
      const named = declaration.field('name');
      if (named !== null) names.add(named.text());
      for (const declarator of declaration.findAll({ rule: { kind: 'variable_declarator' } })) names.add(declarator.field('name')?.text() ?? '');
    } else if (statement.field('source') !== null && statement.find({ rule: { kind: 'namespace_export' } }) === null) return null;
    if (statement.children().some((child) => child.kind() === 'default')) names.add('default');
  }
  return names;
}
