import { readFileSync } from 'node:fs';
import type { SgNode } from '@ast-grep/napi';
import type { Project } from '../analysis/project.js';
import type { SourceFile } from '../files/source-file.js';
import { escapeRegex } from '../facts/syntax-node.js';
import { parseSource } from '../parse/parser.js';
import { pyOwnSurface, type OwnSurface } from './py-surface.js';
import { NO_ARGUMENTS, type Signature } from './signature.js';
import { tsOwnSurface } from './ts-surface.js';

/** What a class offers its callers: every member, inherited ones included, and its constructor. */
export interface ClassSurface {
  readonly name: string;
  /** `file:line` of the class. */
  readonly at: string;
  readonly members: ReadonlySet<string>;
  /** Null when the constructor comes from a base outside the tree (unknown). */
  readonly constructor: Signature | null;
  /** A base outside the tree, or `__getattr__`: members cannot all be known, so none is reported missing. */
  readonly openBecause: string | null;
}

/** Inheritance deeper than this is cut off (and the surface marked open) rather than followed. */
const MAX_BASE_DEPTH = 8;

/**
 * Reads classes straight from their files with a full parse: the scan's facts keep only the
 * names it was asked about, while a surface needs every member and every base.
 */
export class SurfaceReader {
  readonly #project: Project;
  readonly #roots = new Map<string, SgNode>();
  readonly #surfaces = new Map<string, ClassSurface | null>();

  constructor(project: Project) {
    this.#project = project;
  }

  /** The class `name` defined (or imported) in `file`; the one at `line` when several share the name. */
  surface(file: SourceFile, name: string, line?: number, depth = 0): ClassSurface | null {
    const key = `${file.path}\0${name}\0${line ?? ''}`;
    if (this.#surfaces.has(key)) return this.#surfaces.get(key) ?? null;
    this.#surfaces.set(key, null);
    const found = this.#find(file, name, line, depth);
    this.#surfaces.set(key, found);
    return found;
  }

  /** The syntax root of a file, parsed once per run. */
  root(file: SourceFile): SgNode {
    let root = this.#roots.get(file.path);
    if (root === undefined) {
      root = parseSource(file.grammar, readFileSync(file.path, 'utf8')).root();
      this.#roots.set(file.path, root);
    }
    return root;
  }

  #find(file: SourceFile, name: string, line: number | undefined, depth: number): ClassSurface | null {
    if (depth > MAX_BASE_DEPTH) return null;
    // The JavaScript grammar has no abstract classes, and ast-grep rejects a rule naming a kind the grammar lacks.
    const kinds = file.family === 'python' ? ['class_definition'] : file.grammar === 'JavaScript' ? ['class_declaration', 'class'] : ['class_declaration', 'abstract_class_declaration', 'class'];
    const pattern = `^${escapeRegex(name)}$`;
    const candidates = this.root(file).findAll({ rule: { any: kinds.map((kind) => ({ kind, has: { field: 'name', regex: pattern } })) } });
    const node = candidates.find((candidate) => line === undefined || candidate.range().start.line + 1 === line) ?? candidates[0];
    if (node !== undefined) return this.#complete(file, node, name, depth);
    const imported = this.#imported(file, name);
    return imported === null ? null : this.surface(imported.file, imported.name, undefined, depth + 1);
  }

  #complete(file: SourceFile, node: SgNode, name: string, depth: number): ClassSurface {
    const at = `${file.rel}:${node.range().start.line + 1}`;
    const own: OwnSurface = file.family === 'python' ? pyOwnSurface(node, at) : tsOwnSurface(node, at);
    const members = new Set(own.members);
    let constructor = own.constructor;
    let openBecause: string | null = own.dynamic ? `${name} answers any attribute (__getattr__ or an index signature)` : null;
    for (const baseName of own.bases) {
      const base = this.#base(file, baseName, depth);
      if (base === null) {
        openBecause ??= `base class ${baseName} is outside the tree`;
        continue;
      }
      for (const member of base.members) members.add(member);
      constructor ??= base.constructor;
      openBecause ??= base.openBecause;
    }
    if (constructor === null && own.bases.length === 0) constructor = NO_ARGUMENTS;
    return { name, at, members, constructor, openBecause };
  }

  /** `Base` in the same file or imported into it; `module.Base` through an imported module. */
  #base(file: SourceFile, written: string, depth: number): ClassSurface | null {
    const dot = written.lastIndexOf('.');
    if (dot === -1) return this.surface(file, written, undefined, depth + 1);
    const owner = written.slice(0, dot);
    for (const site of this.#project.facts(file).imports) {
      if (site.namespace !== owner && !site.names.some((binding) => binding.local === owner)) continue;
      const resolution = this.#project.resolve(file, site);
      const target = resolution.status === 'resolved' ? this.#project.fileAt(resolution.file) : undefined;
      if (target !== undefined) return this.surface(target, written.slice(dot + 1), undefined, depth + 1);
    }
    return null;
  }

  #imported(file: SourceFile, name: string): { file: SourceFile; name: string } | null {
    for (const site of this.#project.facts(file).imports) {
      const binding = site.names.find((candidate) => candidate.local === name);
      if (binding === undefined && site.kind !== 'star') continue;
      const resolution = this.#project.resolve(file, site);
      const target = resolution.status === 'resolved' ? this.#project.fileAt(resolution.file) : undefined;
      if (target === undefined) continue;
      if (binding !== undefined) return { file: target, name: binding.imported };
      if (this.root(target).find({ rule: { has: { field: 'name', regex: `^${escapeRegex(name)}$` } } }) !== null) return { file: target, name };
    }
    return null;
  }
}
