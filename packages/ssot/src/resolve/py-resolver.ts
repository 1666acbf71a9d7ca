import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { SourceFile } from '../files/source-file.js';
import { EXTERNAL, type Resolution } from './resolution.js';

const MODULE_SUFFIXES = ['.py', '.pyi', '/__init__.py', '/__init__.pyi'];

/**
 * Python import resolution against the files in the tree, without asking an interpreter: a
 * module is `root/a/b.py`, a package `root/a/b/__init__.py`, a namespace package a plain
 * directory holding Python files. An absolute import whose top-level name the tree does not
 * have is external (stdlib, site-packages); one whose top-level package is here but whose
 * submodule is not breaks at run time, and is reported.
 */
export class PyResolver {
  readonly #roots: string[];
  readonly #files = new Set<string>();
  readonly #directories = new Set<string>();
  readonly #moduleNames = new Map<string, string>();

  constructor(root: string, files: readonly SourceFile[], extraRoots: readonly string[] = []) {
    this.#roots = pythonRoots(root, extraRoots);
    for (const file of files) {
      if (file.family !== 'python') continue;
      this.#files.add(file.path);
      for (let directory = dirname(file.path); directory.length >= root.length; directory = dirname(directory)) {
        if (this.#directories.has(directory)) break;
        this.#directories.add(directory);
      }
    }
  }

  /** `a.b.c` for `<root>/a/b/c.py` and `<root>/a/b/c/__init__.py`. */
  moduleName(file: string): string {
    let name = this.#moduleNames.get(file);
    if (name === undefined) {
      const base = this.#roots.filter((root) => file.startsWith(root + sep)).sort((a, b) => b.length - a.length)[0] ?? dirname(file);
      name = relative(base, file).replace(/\.pyi?$/, '').replace(/[\\/]__init__$/, '').split(sep).join('.');
      this.#moduleNames.set(file, name);
    }
    return name;
  }

  /** The absolute module a specifier names from a given file; null when dots climb out of the tree. */
  absoluteName(from: string, specifier: string): string | null {
    const dots = specifier.length - specifier.replace(/^\.+/, '').length;
    if (dots === 0) return specifier;
    const own = this.moduleName(from).split('.');
    const isPackage = /[\\/]__init__\.pyi?$/.test(from);
    const packageParts = isPackage ? own : own.slice(0, -1);
    const keep = packageParts.length - (dots - 1);
    if (keep < 0 || (keep === 0 && specifier.length === dots)) return null;
    const rest = specifier.slice(dots);
    return [...packageParts.slice(0, keep), ...(rest === '' ? [] : [rest])].join('.');
  }

  resolve(from: string, specifier: string): Resolution {
    const name = this.absoluteName(from, specifier);
    if (name === null) return { status: 'unresolved', reason: `relative import '${specifier}' climbs above the top-level package` };
    const found = this.findModule(name);
    if (found !== null) return { status: 'resolved', file: found };
    const module = this.#enclosingModule(name);
    // `import os.path`: a plain module can install submodules at run time (os does), so a
    // name below one is trusted to be that module's business, not reported.
    if (module !== null) return { status: 'resolved', file: module };
    if (specifier.startsWith('.')) return { status: 'unresolved', reason: `no module ${name} in the tree` };
    const top = name.split('.')[0] ?? name;
    if (this.findModule(top) === null) return EXTERNAL;
    return { status: 'unresolved', reason: `package ${top} is in the tree but has no module ${name}` };
  }

  /** The nearest enclosing plain module (`a/b.py` for `a.b.c`), if one exists. */
  #enclosingModule(name: string): string | null {
    const parts = name.split('.');
    for (let length = parts.length - 1; length > 0; length -= 1) {
      const found = this.findModule(parts.slice(0, length).join('.'));
      if (found === null) continue;
      return /\.pyi?$/.test(found) && !/__init__\.pyi?$/.test(found) ? found : null;
    }
    return null;
  }

  /** The file of a module or package, the directory of a namespace package, or null. */
  findModule(name: string): string | null {
    const path = name.split('.').join(sep);
    for (const root of this.#roots) {
      const base = join(root, path);
      for (const suffix of MODULE_SUFFIXES) {
        const candidate = base + suffix.replace('/', sep);
        if (this.#files.has(candidate)) return candidate;
      }
      if (this.#directories.has(base)) return base;
    }
    return null;
  }
}

/**
 * The directories absolute imports start from: the audited root, `src/` in a src layout, and,
 * when the root is itself a package, the directory above its top-level package.
 */
function pythonRoots(root: string, extraRoots: readonly string[]): string[] {
  let top = root;
  while (existsSync(join(top, '__init__.py')) && dirname(top) !== top) top = dirname(top);
  // A root that is itself a package is not an import root: its modules are `pkg.x`, not `x`.
  const roots = [top, ...extraRoots.map((extra) => join(root, extra))];
  const src = join(root, 'src');
  if (existsSync(src) && !existsSync(join(src, '__init__.py'))) roots.push(src);
  return roots;
}
