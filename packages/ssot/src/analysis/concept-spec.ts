/** One concept to audit, after config file and command line are merged. */
export interface ConceptSpec {
  readonly name: string;
  /** Module consumers should import the concept from: a TS specifier, a root-relative path or a dotted Python module. */
  readonly canonical: string | null;
  /** Functions, methods (`Class.method`) or classes allowed to construct the concept. */
  readonly factories: readonly string[];
  /** Modules that must no longer be used. */
  readonly deprecated: readonly string[];
  readonly limits: Limits;
  /** Globs of files whose imports do not count as import paths (e.g. the package's own internals). */
  readonly ignoreImportsIn: readonly string[];
}

export interface Limits {
  readonly implementations?: number;
  readonly importPaths?: number;
  readonly constructionsOutsideFactory?: number;
  readonly unresolvedImports?: number;
  readonly deprecatedReferences?: number;
}

export const LIMIT_KEYS = [
  'implementations',
  'importPaths',
  'constructionsOutsideFactory',
  'unresolvedImports',
  'deprecatedReferences',
] as const satisfies readonly (keyof Limits)[];
