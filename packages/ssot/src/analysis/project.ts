import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { extractFacts } from '../facts/extract-facts.js';
import type { FileFacts, ImportSite, Interest } from '../facts/file-facts.js';
import type { StringReference } from '../facts/string-references.js';
import type { SourceFile } from '../files/source-file.js';
import { parseSource } from '../parse/parser.js';
import { PyResolver } from '../resolve/py-resolver.js';
import type { Resolution } from '../resolve/resolution.js';
import { TsResolver } from '../resolve/ts-resolver.js';

export interface ProjectOptions {
  readonly conditions?: readonly string[];
  readonly pythonPaths?: readonly string[];
}

/**
 * The audited tree: its files, their facts (parsed eagerly during the scan or lazily when an
 * import chain leads into a file the scan skipped) and module resolution for both languages.
 */
export class Project {
  readonly root: string;
  readonly files: readonly SourceFile[];
  readonly interest: Interest;
  readonly #byPath = new Map<string, SourceFile>();
  readonly #facts = new Map<string, FileFacts>();
  readonly #scanned = new Set<string>();
  #scannedList: readonly SourceFile[] | null = null;
  readonly #stringReferences = new Map<string, readonly StringReference[]>();
  readonly #conditions: readonly string[] | undefined;
  #ts: TsResolver | null = null;
  readonly #py: PyResolver;

  constructor(root: string, files: readonly SourceFile[], interest: Interest, options: ProjectOptions = {}) {
    this.root = root;
    this.files = files;
    this.interest = interest;
    for (const file of files) this.#byPath.set(file.path, file);
    this.#conditions = options.conditions;
    this.#py = new PyResolver(root, files, options.pythonPaths);
  }

  get python(): PyResolver {
    return this.#py;
  }

  fileAt(path: string): SourceFile | undefined {
    return this.#byPath.get(path);
  }

  rel(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  /** Records the facts of a file the scan chose to parse. */
  setScanned(file: SourceFile, facts: FileFacts): void {
    this.#facts.set(file.path, facts);
    this.#scanned.add(file.path);
    this.#scannedList = null;
  }

  /** String references found while reading a file the scan did not need to parse. */
  setStringReferences(file: SourceFile, references: readonly StringReference[]): void {
    this.#stringReferences.set(file.path, references);
  }

  /** Files with string references (`mock.patch('a.b')`, `jest.mock('./x')`), in path order, with them. */
  stringReferences(): { file: SourceFile; references: readonly StringReference[] }[] {
    const found: { file: SourceFile; references: readonly StringReference[] }[] = [];
    for (const file of this.files) {
      const references = this.#stringReferences.get(file.path) ?? (this.#scanned.has(file.path) ? this.facts(file).stringReferences : []);
      if (references.length > 0) found.push({ file, references });
    }
    return found;
  }

  parsedOrScanned(file: SourceFile): boolean {
    return this.#scanned.has(file.path);
  }

  /** Files the scan parsed, in path order: the files the audit examined. */
  scannedFiles(): readonly SourceFile[] {
    this.#scannedList ??= this.files.filter((file) => this.#scanned.has(file.path));
    return this.#scannedList;
  }

  /** Facts of any file in the tree, parsing it now if the scan skipped it. */
  facts(file: SourceFile): FileFacts {
    let facts = this.#facts.get(file.path);
    if (facts === undefined) {
      const text = readFileSync(file.path, 'utf8');
      facts = extractFacts(file, parseSource(file.grammar, text), text, this.interest);
      this.#facts.set(file.path, facts);
    }
    return facts;
  }

  resolve(file: SourceFile, site: ImportSite): Resolution {
    if (file.family === 'python') return this.#py.resolve(file.path, site.specifier);
    // oxc-resolver is loaded on the first TS import (a Python tree never pays for it).
    this.#ts ??= new TsResolver(this.root, this.#conditions);
    return this.#ts.resolve(file, site.specifier);
  }

  /** Python: the absolute dotted module; TS: null (TS paths are keyed by their resolved file). */
  absoluteModule(file: SourceFile, specifier: string): string | null {
    return file.family === 'python' ? this.#py.absoluteName(file.path, specifier) : null;
  }
}
