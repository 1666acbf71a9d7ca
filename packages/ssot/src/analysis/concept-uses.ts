import type { FileFacts, ImportSite } from '../facts/file-facts.js';
import type { GlobMatcher } from '../files/glob.js';
import type { SourceFile } from '../files/source-file.js';
import type { Resolution } from '../resolve/resolution.js';
import type { ExportTracer, Trace } from './export-trace.js';
import { importPathKey } from './module-ref.js';
import type { Project } from './project.js';

/** One import through which one file reaches the concept. */
export interface ConceptUse {
  readonly file: SourceFile;
  readonly site: ImportSite;
  readonly resolution: Resolution;
  readonly pathKey: string;
  /** How the file names the concept: `X`, `Alias`, `ns.X`. */
  readonly local: string;
  /** A re-export passes the concept on (a barrel); a consumer uses it. */
  readonly role: 'consumer' | 're-export';
  readonly trace: Trace;
}

/**
 * Every import in the examined files that brings the concept in: by name (aliases included),
 * through a namespace or module object (`ns.X`, `import a.b as m; m.X`), through a Python
 * submodule imported by name (`from a import b; b.X`), or as a default import whose default
 * export turns out to be the concept.
 */
export function findConceptUses(project: Project, tracer: ExportTracer, name: string, ignored: GlobMatcher): ConceptUse[] {
  const uses: ConceptUse[] = [];
  for (const file of project.scannedFiles()) {
    if (ignored(file.rel)) continue;
    const facts = project.facts(file);
    for (const site of facts.imports) {
      if (site.kind === 'star') continue;
      const resolution = project.resolve(file, site);
      const base = { file, site, resolution, pathKey: importPathKey(project, file, site, resolution) };
      for (const binding of site.names) {
        if (binding.imported === name || (binding.imported === 'default' && defaultIsConcept(tracer, file, site, name))) {
          uses.push({ ...base, local: binding.local, role: roleOf(file, facts, site, binding.local), trace: tracer.throughSite(file, site, binding.imported) });
        } else if (file.family === 'python' && usesMember(facts, binding.local, name)) {
          const submodule = pythonSubmoduleUse(project, tracer, file, site, binding.imported, name);
          if (submodule !== null) uses.push({ ...base, ...submodule, local: `${binding.local}.${name}`, role: 'consumer' });
        }
      }
      if (site.namespace !== null && usesMember(facts, site.namespace, name)) {
        const role = site.kind === 're-export' ? 're-export' : 'consumer';
        uses.push({ ...base, local: `${site.namespace}.${name}`, role, trace: tracer.throughSite(file, site, name) });
      }
    }
  }
  return uses;
}

function usesMember(facts: FileFacts, object: string, name: string): boolean {
  return facts.memberUses.some((use) => use.object === object && use.property === name);
}

function defaultIsConcept(tracer: ExportTracer, file: SourceFile, site: ImportSite, name: string): boolean {
  return tracer.throughSite(file, site, 'default').definitions.some((ref) => ref.definition.name === name);
}

/**
 * `import { X } from './a'; export { X }` and a Python `__init__.py` that imports X (or lists it
 * in `__all__`) pass the concept on rather than use it.
 */
function roleOf(file: SourceFile, facts: FileFacts, site: ImportSite, local: string): ConceptUse['role'] {
  if (site.kind === 're-export') return 're-export';
  if (facts.localExports.some((entry) => entry.local === local)) return 're-export';
  if (file.family === 'python' && /(?:^|\/)__init__\.pyi?$/.test(file.rel)) return 're-export';
  return 'consumer';
}

/** `from app import notifier` then `notifier.X`: the path is the submodule `app.notifier`. */
function pythonSubmoduleUse(
  project: Project,
  tracer: ExportTracer,
  file: SourceFile,
  site: ImportSite,
  imported: string,
  name: string,
): Pick<ConceptUse, 'pathKey' | 'resolution' | 'trace'> | null {
  const parent = project.absoluteModule(file, site.specifier);
  if (parent === null) return null;
  const moduleName = `${parent}.${imported}`;
  const found = project.python.findModule(moduleName);
  const target = found === null ? undefined : project.fileAt(found);
  if (found === null || target === undefined) return null;
  return { pathKey: moduleName, resolution: { status: 'resolved', file: found }, trace: tracer.exported(target, name) };
}
