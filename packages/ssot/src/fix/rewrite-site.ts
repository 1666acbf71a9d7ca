import type { ImportName, ImportSite } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';
import { insertAfter, quoteOf, removeListItem, type TextEdit } from './text-edit.js';

export type SiteRewrite = { readonly edits: readonly TextEdit[] } | { readonly manual: string };

/**
 * Rewrites one import so the concept comes from `target`. When the concept is all the statement
 * imports, only the module text changes, so aliases, `type` modifiers, comments and layout stay.
 * Otherwise the concept's specifiers move to a new statement right after, and the old one keeps
 * the other names.
 */
export function rewriteSite(file: SourceFile, source: string, site: ImportSite, concept: string, target: string): SiteRewrite {
  const moved = site.names.filter((name) => name.imported === concept);
  if (moved.length === 0) return { manual: `reaches ${concept} through a module object (\`${site.namespace ?? site.specifier}\`); rewrite its uses by hand` };
  const kept = site.names.filter((name) => name.imported !== concept);
  if (site.kind === 'require' || site.kind === 'dynamic') {
    if (kept.length > 0) return { manual: `${site.kind === 'require' ? 'require()' : 'import()'} also binds other names` };
    return { edits: [replaceModule(site, target)] };
  }
  if (kept.length === 0 && site.namespace === null) return { edits: [replaceModule(site, target)] };
  if (site.namespace !== null) return { manual: 'the statement also binds a namespace' };
  const onlyDefault = kept.length === 1 && kept[0]?.imported === 'default' && file.family === 'ts' ? kept[0] : null;
  const clause = onlyDefault === null ? null : removeNamedClause(source, onlyDefault, moved);
  const removals = clause === null ? moved.map((name) => removeListItem(source, name.span)) : [clause];
  return { edits: [...removals, insertAfter(source, site.statement, newStatement(file, source, site, moved, target))] };
}

function replaceModule(site: ImportSite, target: string): TextEdit {
  return { start: site.source.start, end: site.source.end, text: target };
}

/** `import D, { X } from` loses `, { X }` as a whole rather than leaving `import D, {}`. */
function removeNamedClause(source: string, defaultName: ImportName, moved: readonly ImportName[]): TextEdit | null {
  const last = moved.reduce((end, name) => Math.max(end, name.span.end), 0);
  const close = source.indexOf('}', last);
  return close === -1 ? null : { start: defaultName.span.end, end: close + 1, text: '' };
}

function newStatement(file: SourceFile, source: string, site: ImportSite, moved: readonly ImportName[], target: string): string {
  const names = moved.map((name) => name.text).join(', ');
  if (file.family === 'python') return `from ${target} import ${names}`;
  const quote = quoteOf(source, site.source);
  const keyword = site.kind === 're-export' ? 'export' : 'import';
  const type = site.typeOnly ? 'type ' : '';
  const semicolon = source.charAt(site.statement.end - 1) === ';' ? ';' : '';
  return `${keyword} ${type}{ ${names} } from ${quote}${target}${quote}${semicolon}`;
}
