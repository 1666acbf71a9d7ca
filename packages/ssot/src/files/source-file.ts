import type { FileRole } from './file-role.js';

/** The grammar a file is parsed with; `python` is registered at run time from @ast-grep/lang-python. */
export type Grammar = 'TypeScript' | 'Tsx' | 'JavaScript' | 'python';

/** The two module systems ssot understands; every TS/JS grammar shares one resolver. */
export type LanguageFamily = 'ts' | 'python';

export interface SourceFile {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the audited root, with forward slashes. */
  readonly rel: string;
  readonly grammar: Grammar;
  readonly family: LanguageFamily;
  readonly role: FileRole;
  /** A `.d.ts`/`.pyi` file declares types only; its classes are not implementations. */
  readonly declarationOnly: boolean;
}

const GRAMMAR_BY_EXTENSION: ReadonlyMap<string, Grammar> = new Map([
  ['.ts', 'TypeScript'],
  ['.mts', 'TypeScript'],
  ['.cts', 'TypeScript'],
  ['.tsx', 'Tsx'],
  ['.js', 'JavaScript'],
  ['.mjs', 'JavaScript'],
  ['.cjs', 'JavaScript'],
  ['.jsx', 'JavaScript'],
  ['.py', 'python'],
  ['.pyi', 'python'],
]);

export function grammarOf(fileName: string): Grammar | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return GRAMMAR_BY_EXTENSION.get(fileName.slice(dot));
}

export function isDeclarationFile(fileName: string): boolean {
  return /\.d\.[cm]?ts$/.test(fileName) || fileName.endsWith('.pyi');
}
