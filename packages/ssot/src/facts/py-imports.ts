import type { SgNode } from '@ast-grep/napi';
import type { ImportName, ImportSite } from './file-facts.js';
import { lineOf, spanOf } from './syntax-node.js';

export const PY_IMPORT_RULES: readonly object[] = [{ kind: 'import_statement' }, { kind: 'import_from_statement' }];

/**
 * Records an `import` or `from … import` (false for other kinds). Nested ones count too: Python
 * code imports lazily inside functions and under `if TYPE_CHECKING:`, and those break at run
 * time just the same.
 */
export function collectPyImportNode(node: SgNode, kind: string, sites: ImportSite[]): boolean {
  if (kind === 'import_statement') sites.push(...plainImports(node, isTopLevel(node)));
  else if (kind === 'import_from_statement') {
    const site = fromImport(node, isTopLevel(node));
    if (site !== null) sites.push(site);
  } else return false;
  return true;
}

function isTopLevel(node: SgNode): boolean {
  if (node.parent()?.kind() === 'module') return true;
  return !node.ancestors().some((ancestor) => ancestor.kind() === 'function_definition');
}

/** `import a.b as c, d` is two sites: module `a.b` reached through `c`, module `d` through `d`. */
function plainImports(node: SgNode, topLevel: boolean): ImportSite[] {
  return node.fieldChildren('name').map((name) => {
    const aliased = name.kind() === 'aliased_import';
    const moduleNode = aliased ? (name.field('name') ?? name) : name;
    const specifier = moduleNode.text();
    return {
      kind: 'import',
      specifier,
      line: lineOf(node),
      names: [],
      // `import a.b` binds `a`, but the code reaches the module as `a.b`.
      namespace: aliased ? (name.field('alias')?.text() ?? specifier) : specifier,
      typeOnly: false,
      statement: spanOf(node),
      source: spanOf(moduleNode),
      topLevel,
    };
  });
}

function fromImport(node: SgNode, topLevel: boolean): ImportSite | null {
  const moduleNode = node.field('module_name');
  if (moduleNode === null) return null;
  const star = node.children().some((child) => child.kind() === 'wildcard_import');
  const names: ImportName[] = star ? [] : node.fieldChildren('name').map(importedName);
  return {
    kind: star ? 'star' : 'import',
    // `from .. a import b` is legal; the module is `..a`.
    specifier: moduleNode.text().replace(/\s+/g, ''),
    line: lineOf(node),
    names,
    namespace: null,
    typeOnly: false,
    statement: spanOf(node),
    source: spanOf(moduleNode),
    topLevel,
  };
}

function importedName(name: SgNode): ImportName {
  if (name.kind() === 'aliased_import') {
    const imported = name.field('name')?.text() ?? '';
    return { imported, local: name.field('alias')?.text() ?? imported, text: name.text(), span: spanOf(name) };
  }
  return { imported: name.text(), local: name.text(), text: name.text(), span: spanOf(name) };
}
