import type { FileFacts, ImportSite } from '../facts/file-facts.js';
import type { UnresolvedImport } from './audit-result.js';
import type { ModuleRef } from './module-ref.js';
import { importPathKey } from './module-ref.js';
import type { Project } from './project.js';

export interface ConceptModules {
  readonly name: string;
  readonly deprecated: readonly ModuleRef[];
}

/**
 * Imports in the examined files that resolve to no module. Each is tagged with the concepts it
 * was meant to bring in (by imported name, or because it names a deprecated module), so a
 * concept's report can count the ones that concern it.
 */
export function findUnresolvedImports(project: Project, concepts: readonly ConceptModules[]): UnresolvedImport[] {
  const found: UnresolvedImport[] = [];
  for (const file of project.scannedFiles()) {
    const facts = project.facts(file);
    for (const site of facts.imports) {
      const resolution = project.resolve(file, site);
      if (resolution.status !== 'unresolved') continue;
      const key = importPathKey(project, file, site, resolution);
      found.push({
        file: file.rel,
        line: site.line,
        role: file.role,
        specifier: site.specifier,
        reason: resolution.reason,
        breaksAtRunTime: !site.typeOnly && !file.declarationOnly,
        concepts: concepts.filter((concept) => concerns(concept, site, key, facts)).map((concept) => concept.name),
      });
    }
  }
  return found;
}

function concerns(concept: ConceptModules, site: ImportSite, key: string, facts: FileFacts): boolean {
  if (site.names.some((binding) => binding.imported === concept.name)) return true;
  if (concept.deprecated.some((module) => module.keys.has(key))) return true;
  // `import * as ns from './gone'` or `import a.gone as m`, then `ns.Concept`.
  const namespace = site.namespace;
  return namespace !== null && facts.memberUses.some((use) => use.object === namespace && use.property === concept.name);
}
