import { join, posix } from 'node:path';
import type { ImportSite } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';
import type { Resolution } from '../resolve/resolution.js';
import type { Project } from './project.js';

const SOURCE_EXTENSION = /\.(?:d\.)?[cm]?[jt]sx?$|\.pyi?$/;

/** `src/transport/index.ts` → `src/transport`; `app/x/__init__.py` → `app/x`. */
export function moduleKeyOfPath(relPath: string): string {
  return relPath.replace(SOURCE_EXTENSION, '').replace(/\/(?:index|__init__)$/, '');
}

/**
 * The census key of an import: what a reader would call "the path it imports from". Package
 * specifiers and tsconfig aliases stay as written (they are the public names); relative TS
 * specifiers become the root-relative module they resolve to, so `../a/b.js` and `./b` from two
 * directories count once; Python modules become absolute dotted names.
 */
export function importPathKey(project: Project, file: SourceFile, site: ImportSite, resolution: Resolution): string {
  if (file.family === 'python') return project.absoluteModule(file, site.specifier) ?? site.specifier;
  if (!site.specifier.startsWith('.') && !site.specifier.startsWith('/')) return site.specifier;
  if (resolution.status === 'resolved') return moduleKeyOfPath(project.rel(resolution.file));
  return moduleKeyOfPath(posix.normalize(posix.join(posix.dirname(file.rel), site.specifier)));
}

/** The module key of the file an import resolves to, for matching deprecated modules. */
export function resolvedModuleKey(project: Project, resolution: Resolution): string | null {
  return resolution.status === 'resolved' ? moduleKeyOfPath(project.rel(resolution.file)) : null;
}

export type ModuleForm = 'path' | 'python' | 'specifier';

/** A module named on the command line or in the config, normalised for matching and rewriting. */
export interface ModuleRef {
  readonly written: string;
  readonly form: ModuleForm;
  /** Census keys that mean this module. */
  readonly keys: ReadonlySet<string>;
  /** The file it resolves to inside the tree, if any. */
  readonly file: SourceFile | null;
}

/**
 * Reads `src/transport/notifier.ts` (a path from the root), `app.services.bridge` (Python) or
 * `agentwire/server` (a package specifier or tsconfig alias) and works out which it is.
 */
export function moduleRef(project: Project, written: string): ModuleRef {
  const asPath = pathModule(project, written);
  if (asPath !== null) {
    const key = moduleKeyOfPath(project.rel(asPath.path));
    const dotted = asPath.family === 'python' ? project.python.moduleName(asPath.path) : null;
    return { written, form: 'path', keys: new Set([key, moduleKeyOfPath(written), ...(dotted === null ? [] : [dotted])]), file: asPath };
  }
  if (/^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*$/.test(written)) {
    const found = project.python.findModule(written);
    const file = found === null ? null : (project.fileAt(found) ?? null);
    if (file !== null || written.includes('.')) {
      const keys = [written, written.split('.').join('/'), ...(file === null ? [] : [moduleKeyOfPath(file.rel)])];
      return { written, form: 'python', keys: new Set(keys), file };
    }
  }
  return { written, form: 'specifier', keys: new Set([written]), file: specifierTarget(project, written) };
}

function pathModule(project: Project, written: string): SourceFile | null {
  const base = join(project.root, written);
  const candidates = [base, ...['.ts', '.tsx', '.js', '.mjs', '.cjs', '.py', '.pyi', '/index.ts', '/index.js', '/__init__.py'].map((suffix) => base + suffix)];
  for (const candidate of candidates) {
    const file = project.fileAt(candidate);
    if (file !== undefined) return file;
  }
  return null;
}

function specifierTarget(project: Project, specifier: string): SourceFile | null {
  const anchor = project.files.find((file) => file.family === 'ts');
  if (anchor === undefined) return null;
  const site: ImportSite = {
    kind: 'import', specifier, line: 0, names: [], namespace: null, typeOnly: false,
    statement: { start: 0, end: 0 }, source: { start: 0, end: 0 }, topLevel: true,
  };
  const resolution = project.resolve({ ...anchor, path: join(project.root, '__ssot__.ts') }, site);
  return resolution.status === 'resolved' ? (project.fileAt(resolution.file) ?? null) : null;
}
