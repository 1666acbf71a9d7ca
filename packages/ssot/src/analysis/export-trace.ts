import type { Definition, FileFacts, ImportSite } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';
import type { Project } from './project.js';

export interface DefinitionRef {
  readonly file: SourceFile;
  readonly definition: Definition;
}

/** What a name exported by a module really is, and the barrels on the way there. */
export interface Trace {
  readonly definitions: readonly DefinitionRef[];
  /** Files passed through before reaching the definitions (barrels, `__init__` re-exports). */
  readonly via: readonly SourceFile[];
  /** Set when the chain leaves the tree (a package in node_modules, the stdlib). */
  readonly external: string | null;
}

const EMPTY: Trace = { definitions: [], via: [], external: null };

/**
 * Follows re-exports across modules the way both module systems do: a local definition, an
 * `export { a as b }` of a local or imported binding, `export { … } from`, `export * from`,
 * and Python's `from x import y` and `from x import *` (which is how `__init__.py` re-exports).
 */
export class ExportTracer {
  readonly #project: Project;
  readonly #cache = new Map<string, Trace>();

  constructor(project: Project) {
    this.#project = project;
  }

  /** What `import { name } from <file>` binds. */
  exported(file: SourceFile, name: string): Trace {
    return this.#cached(`e\0${file.path}\0${name}`, () => this.#exported(file, name, new Set()));
  }

  /** What the local binding `name` inside `file` refers to. */
  local(file: SourceFile, name: string): Trace {
    return this.#cached(`l\0${file.path}\0${name}`, () => this.#local(file, name, new Set()));
  }

  /** Where an import site's module leads, as a trace of `name` in that module. */
  throughSite(file: SourceFile, site: ImportSite, name: string): Trace {
    const target = this.#target(file, site);
    if (typeof target === 'string') return { ...EMPTY, external: target };
    return target === null ? EMPTY : this.exported(target, name);
  }

  #cached(key: string, compute: () => Trace): Trace {
    let trace = this.#cache.get(key);
    if (trace === undefined) {
      trace = compute();
      this.#cache.set(key, trace);
    }
    return trace;
  }

  #exported(file: SourceFile, name: string, visiting: Set<string>): Trace {
    const key = `${file.path}\0${name}`;
    if (visiting.has(key)) return EMPTY;
    visiting.add(key);
    const facts = this.#project.facts(file);
    const own = ownDefinitions(file, facts, name, true);
    if (own.length > 0) return { definitions: own, via: [], external: null };
    const traces: Trace[] = [];
    for (const entry of facts.localExports) if (entry.exported === name) traces.push(this.#local(file, entry.local, visiting));
    for (const site of facts.imports) {
      if (site.kind === 'star' && name !== 'default') traces.push(this.#follow(file, site, name, visiting));
      else if (site.kind === 're-export' || file.family === 'python') {
        for (const binding of site.names) if (binding.local === name) traces.push(this.#follow(file, site, binding.imported, visiting));
      }
    }
    return prepend(file, merge(traces));
  }

  #local(file: SourceFile, name: string, visiting: Set<string>): Trace {
    const facts = this.#project.facts(file);
    const own = ownDefinitions(file, facts, name, false);
    if (own.length > 0) return { definitions: own, via: [], external: null };
    const traces: Trace[] = [];
    for (const site of facts.imports) {
      if (site.kind === 're-export' || site.kind === 'star') continue;
      for (const binding of site.names) if (binding.local === name) traces.push(this.#follow(file, site, binding.imported, visiting));
    }
    return merge(traces);
  }

  #follow(file: SourceFile, site: ImportSite, name: string, visiting: Set<string>): Trace {
    const target = this.#target(file, site);
    if (typeof target === 'string') return { ...EMPTY, external: target };
    return target === null ? EMPTY : this.#exported(target, name, visiting);
  }

  /** The file an import leads to inside the tree, its path when outside, or null. */
  #target(file: SourceFile, site: ImportSite): SourceFile | string | null {
    const resolution = this.#project.resolve(file, site);
    if (resolution.status !== 'resolved') return null;
    return this.#project.fileAt(resolution.file) ?? resolution.file;
  }
}

function ownDefinitions(file: SourceFile, facts: FileFacts, name: string, exportedOnly: boolean): DefinitionRef[] {
  return facts.definitions
    .filter((definition) => {
      if (name === 'default') return definition.exported === 'default';
      if (definition.qualifiedName !== name) return false;
      // Python has no export keyword: every module-level name can be imported.
      if (!exportedOnly || file.family === 'python') return true;
      return definition.exported === 'named' || (file.declarationOnly && definition.ambient);
    })
    .map((definition) => ({ file, definition }));
}

function merge(traces: readonly Trace[]): Trace {
  const found = traces.filter((trace) => trace.definitions.length > 0);
  if (found.length === 0) return traces.find((trace) => trace.external !== null) ?? EMPTY;
  return {
    definitions: found.flatMap((trace) => trace.definitions),
    via: [...new Set(found.flatMap((trace) => trace.via))],
    external: null,
  };
}

function prepend(file: SourceFile, trace: Trace): Trace {
  // `class X {}; exports.X = X` reaches its own definition: the file is no barrel.
  if (trace.definitions.every((ref) => ref.file.path === file.path)) return trace;
  return { ...trace, via: [file, ...trace.via] };
}
