import type { SourceFile } from '../files/source-file.js';
import type { ImportPath, ImportUse } from './audit-result.js';
import type { ConceptUse } from './concept-uses.js';
import type { DefinitionRef } from './export-trace.js';
import type { ModuleRef } from './module-ref.js';
import type { Project } from './project.js';
import { compareText } from './text-order.js';

/** The census: consumer imports grouped by path, most-used first. */
export function importPaths(project: Project, uses: readonly ConceptUse[], canonical: ModuleRef | null, deprecated: readonly ModuleRef[]): ImportPath[] {
  const groups = new Map<string, ConceptUse[]>();
  for (const use of uses) {
    if (use.role !== 'consumer') continue;
    const group = groups.get(use.pathKey) ?? [];
    group.push(use);
    groups.set(use.pathKey, group);
  }
  const paths = [...groups].map(([path, group]) => importPath(project, path, group, canonical, deprecated));
  return paths.sort((a, b) => b.files - a.files || compareText(a.path, b.path));
}

function importPath(project: Project, path: string, group: readonly ConceptUse[], canonical: ModuleRef | null, deprecated: readonly ModuleRef[]): ImportPath {
  const first = group[0];
  const resolution = first?.resolution ?? { status: 'unresolved' as const, reason: '' };
  const files = new Map<string, SourceFile>();
  for (const use of group) files.set(use.file.path, use.file);
  const roles = [...files.values()].map((file) => file.role);
  const target = resolution.status === 'resolved' ? project.rel(resolution.file) : null;
  return {
    path,
    specifiers: [...new Set(group.map((use) => use.site.specifier))].sort(),
    resolution: resolution.status,
    target,
    definitions: definitionLabels(group.flatMap((use) => use.trace.definitions)),
    via: [...new Set(group.flatMap((use) => use.trace.via.map((file) => file.rel)))].sort(),
    files: files.size,
    productionFiles: roles.filter((role) => role === 'production').length,
    testFiles: roles.filter((role) => role === 'test').length,
    canonical: canonical?.keys.has(path) === true,
    deprecated: deprecated.some((module) => module.keys.has(path) || (target !== null && module.file?.rel === target)),
    uses: group.map(toImportUse),
  };
}

export function toImportUse(use: ConceptUse): ImportUse {
  return {
    file: use.file.rel,
    line: use.site.line,
    role: use.file.role,
    kind: use.site.kind,
    specifier: use.site.specifier,
    local: use.local,
    typeOnly: use.site.typeOnly || use.file.declarationOnly,
  };
}

export function definitionLabels(refs: readonly DefinitionRef[]): string[] {
  return [...new Set(refs.map((ref) => `${ref.file.rel}:${ref.definition.line}`))].sort();
}
