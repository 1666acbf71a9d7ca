import { posix } from 'node:path';
import type { ModuleRef } from '../analysis/module-ref.js';
import type { Project } from '../analysis/project.js';
import type { ImportSite } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';

const JS_EXTENSION: Readonly<Record<string, string>> = { '.ts': '.js', '.tsx': '.js', '.mts': '.mjs', '.cts': '.cjs' };

/**
 * How one file should write the canonical module: a package specifier or Python module as
 * configured, or a relative path from the file, in the extension style the file already uses
 * (`./x.js` under NodeNext, `./x` under bundler resolution). Null when the canonical module is
 * for the other language.
 */
export function targetSpecifier(project: Project, file: SourceFile, site: ImportSite, canonical: ModuleRef): string | null {
  if (canonical.form === 'python') return file.family === 'python' ? canonical.written : null;
  if (canonical.form === 'specifier') return file.family === 'ts' ? canonical.written : null;
  const target = canonical.file;
  if (target === null || target.family !== file.family) return null;
  if (file.family === 'python') return project.python.moduleName(target.path);
  return relativeSpecifier(file.rel, target.rel, site.specifier);
}

function relativeSpecifier(from: string, to: string, written: string): string {
  let path = posix.relative(posix.dirname(from), to);
  if (!path.startsWith('.')) path = `./${path}`;
  const extension = /\.(?:d\.)?[cm]?[jt]sx?$/.exec(path)?.[0] ?? '';
  const withoutExtension = path.slice(0, path.length - extension.length);
  const writtenExtension = /\.[cm]?[jt]sx?$/.exec(written)?.[0];
  if (writtenExtension === undefined) return withoutExtension.replace(/\/index$/, '') || '.';
  if (/^\.[cm]?tsx?$/.test(writtenExtension)) return path;
  return withoutExtension + (JS_EXTENSION[extension] ?? extension);
}
