import type { ImportSite } from '../facts/file-facts.js';
import type { StringReference, StringReferenceKind } from '../facts/string-references.js';
import type { FileRole } from '../files/file-role.js';
import type { SourceFile } from '../files/source-file.js';
import type { ConceptUse } from './concept-uses.js';
import type { DefinitionRef } from './export-trace.js';
import { importPathKey, type ModuleRef } from './module-ref.js';
import type { Project } from './project.js';
import { compareText } from './text-order.js';

/** One string that names a module the concept lives in or passes through. */
export interface StringReferenceUse {
  readonly file: string;
  readonly line: number;
  readonly role: FileRole;
  readonly kind: StringReferenceKind;
  readonly value: string;
}

/** The census of string references, per module path, like the import census. */
export interface StringReferencePath {
  /** The module as the census keys it: a dotted Python module, a root-relative TS module. */
  readonly path: string;
  readonly target: string;
  readonly files: number;
  readonly productionFiles: number;
  readonly testFiles: number;
  readonly canonical: boolean;
  readonly deprecated: boolean;
  readonly references: readonly StringReferenceUse[];
}

/** A string reference resolved to a module file, with what it names inside the module. */
export interface ResolvedStringReference {
  readonly file: SourceFile;
  readonly reference: StringReference;
  readonly module: SourceFile;
  readonly pathKey: string;
  /** Python: the attribute path after the module (`logger`, `WebSocketNotifier.send`); TS: empty. */
  readonly rest: string;
}

/**
 * The modules that matter to the concept: where it is defined, every module an import of it
 * resolves to or passes through, and the deprecated ones.
 */
export function conceptModules(uses: readonly ConceptUse[], definitions: readonly DefinitionRef[], deprecated: readonly ModuleRef[]): Set<string> {
  const files = new Set<string>();
  for (const ref of definitions) files.add(ref.file.path);
  for (const module of deprecated) if (module.file !== null) files.add(module.file.path);
  for (const use of uses) {
    if (use.resolution.status === 'resolved') files.add(use.resolution.file);
    for (const file of use.trace.via) files.add(file.path);
    for (const ref of use.trace.definitions) files.add(ref.file.path);
  }
  return files;
}

/** Every string reference in the tree that resolves to one of `modules`. */
export function resolveStringReferences(project: Project, modules: ReadonlySet<string>): ResolvedStringReference[] {
  const resolved: ResolvedStringReference[] = [];
  for (const { file, references } of project.stringReferences()) {
    for (const reference of references) {
      const found = file.family === 'python' ? pythonTarget(project, file, reference) : tsTarget(project, file, reference);
      if (found !== null && modules.has(found.module.path)) resolved.push({ file, reference, ...found });
    }
  }
  return resolved;
}

export function stringReferenceCensus(resolved: readonly ResolvedStringReference[], canonical: ModuleRef | null, deprecated: readonly ModuleRef[]): StringReferencePath[] {
  const byPath = new Map<string, ResolvedStringReference[]>();
  for (const entry of resolved) byPath.set(entry.pathKey, [...(byPath.get(entry.pathKey) ?? []), entry]);
  return [...byPath].map(([path, entries]) => {
    const files = new Map(entries.map((entry) => [entry.file.path, entry.file.role]));
    const module = (entries[0] as ResolvedStringReference).module;
    return {
      path,
      target: module.rel,
      files: files.size,
      productionFiles: [...files.values()].filter((role) => role === 'production').length,
      testFiles: [...files.values()].filter((role) => role === 'test').length,
      canonical: canonical !== null && (canonical.keys.has(path) || canonical.file?.path === module.path),
      deprecated: deprecated.some((ref) => ref.file?.path === module.path),
      references: entries.map(({ file, reference }) => ({ file: file.rel, line: reference.line, role: file.role, kind: reference.kind, value: reference.value })),
    };
  }).sort((a, b) => b.files - a.files || compareText(a.path, b.path));
}

/** `a.b.C.m`: the longest prefix that is a module in the tree, and the attributes after it. */
function pythonTarget(project: Project, file: SourceFile, reference: StringReference): { module: SourceFile; pathKey: string; rest: string } | null {
  const dotted = reference.kind === 'patch.object' ? patchObjectTarget(project, file, reference.value) : reference.value;
  if (dotted === null) return null;
  const parts = dotted.split('.');
  for (let length = parts.length; length > 0; length -= 1) {
    const name = parts.slice(0, length).join('.');
    const found = project.python.findModule(name);
    const module = found === null ? undefined : project.fileAt(found);
    if (module !== undefined) return { module, pathKey: name, rest: parts.slice(length).join('.') };
  }
  return null;
}

/** `patch.object(WSN, 'send')` with `from a.b import X as WSN`: `a.b.X.send`. */
function patchObjectTarget(project: Project, file: SourceFile, value: string): string | null {
  const [first = '', ...rest] = value.split('.');
  for (const site of project.facts(file).imports) {
    const absolute = project.absoluteModule(file, site.specifier);
    if (absolute === null) continue;
    const binding = site.names.find((name) => name.local === first);
    if (binding !== undefined) return [absolute, binding.imported, ...rest].join('.');
    if (site.namespace !== null && value.startsWith(`${site.namespace}.`)) return value.replace(site.namespace, absolute);
  }
  return null;
}

function tsTarget(project: Project, file: SourceFile, reference: StringReference): { module: SourceFile; pathKey: string; rest: string } | null {
  const site = stringSite(reference);
  const resolution = project.resolve(file, site);
  if (resolution.status !== 'resolved') return null;
  const module = project.fileAt(resolution.file);
  return module === undefined ? null : { module, pathKey: importPathKey(project, file, site, resolution), rest: '' };
}

/** A string reference as an import site, so resolution and the fixer treat it like an import. */
export function stringSite(reference: StringReference): ImportSite {
  const span = { start: reference.start, end: reference.end };
  return { kind: 'dynamic', specifier: reference.value, line: reference.line, names: [], namespace: null, typeOnly: false, statement: span, source: span, topLevel: true };
}
