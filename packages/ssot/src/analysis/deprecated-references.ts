import type { DeprecatedReference } from './audit-result.js';
import { importPathKey, resolvedModuleKey, type ModuleRef } from './module-ref.js';
import type { Project } from './project.js';

/**
 * Imports of a deprecated module, whatever they import from it and however they spell the
 * path: by resolved file, by census key, and (Python) `from pkg import deprecated_module`.
 */
export function findDeprecatedReferences(project: Project, deprecated: readonly ModuleRef[]): DeprecatedReference[] {
  if (deprecated.length === 0) return [];
  const found: DeprecatedReference[] = [];
  for (const file of project.scannedFiles()) {
    for (const site of project.facts(file).imports) {
      const resolution = project.resolve(file, site);
      const keys = [importPathKey(project, file, site, resolution), resolvedModuleKey(project, resolution)];
      const parent = project.absoluteModule(file, site.specifier);
      for (const module of deprecated) {
        if (module.file?.path === file.path) continue;
        let names: string[] | null = keys.some((key) => key !== null && module.keys.has(key)) ? site.names.map((name) => name.imported) : null;
        if (names === null && parent !== null) {
          const submodules = site.names.filter((name) => module.keys.has(`${parent}.${name.imported}`));
          if (submodules.length > 0) names = submodules.map((name) => name.imported);
        }
        if (names === null) continue;
        found.push({ file: file.rel, line: site.line, role: file.role, specifier: site.specifier, module: module.written, names });
      }
    }
  }
  return found;
}
