import type { StringReference } from './string-references.js';

/**
 * What one parse of one file yields. Extraction is language-specific; everything downstream
 * (resolution, census, findings, fixes) works on this shape only.
 */

/** UTF-16 offsets into the file text, as JavaScript strings index them. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type ImportKind =
  /** `import … from`, Python `import`/`from … import`. */
  | 'import'
  /** `export { … } from`, `export * as ns from`. */
  | 're-export'
  /** `export * from`, Python `from x import *`. */
  | 'star'
  /** `require('…')`, `import x = require('…')`. */
  | 'require'
  /** `import('…')`. */
  | 'dynamic';

export interface ImportName {
  /** The name the module exports (`default` for a default import). */
  readonly imported: string;
  /** The name it is bound to in this file. */
  readonly local: string;
  /** Source text of the specifier, e.g. `type Foo as Bar`, copied verbatim by the fixer. */
  readonly text: string;
  readonly span: Span;
}

export interface ImportSite {
  readonly kind: ImportKind;
  /** The module as written: a TS specifier, or a Python module with its leading dots. */
  readonly specifier: string;
  /** 1-based line of the statement. */
  readonly line: number;
  readonly names: readonly ImportName[];
  /**
   * The expression through which the module object is reached, when the statement binds the
   * whole module: `ns` for `import * as ns`, `c` for `import a.b as c`, `a.b` for `import a.b`.
   */
  readonly namespace: string | null;
  readonly typeOnly: boolean;
  readonly statement: Span;
  /** The module text inside the statement: the string literal, or the Python module name. */
  readonly source: Span;
  /** False for an import nested in a function or block (lazy imports in Python). */
  readonly topLevel: boolean;
}

export type DefinitionKind =
  | 'class'
  | 'function'
  | 'variable'
  | 'alias'
  | 'type'
  | 'interface'
  | 'enum'
  | 'export-assignment';

export interface Definition {
  readonly name: string;
  /** Dotted through enclosing classes: `AgentWebSocketBridge.WebSocketNotifier`. */
  readonly qualifiedName: string;
  readonly kind: DefinitionKind;
  readonly line: number;
  /** `named`, `default`, or `none` when the module does not export it (Python: always named). */
  readonly exported: 'named' | 'default' | 'none';
  /** `declare class`, or any definition in a .d.ts/.pyi file. */
  readonly ambient: boolean;
  /** Method and field names, for body similarity between classes. */
  readonly members: readonly string[];
  /** Base classes as written. */
  readonly bases: readonly string[];
}

export interface Construction {
  /** The callee as written: `WebSocketNotifier`, `ns.WebSocketNotifier`, `Alias`. */
  readonly callee: string;
  readonly line: number;
  readonly column: number;
  /** Names of enclosing functions, methods and classes, innermost first. */
  readonly enclosing: readonly string[];
  /** The statement text, trimmed to one line, for the report. */
  readonly snippet: string;
}

export interface MemberUse {
  /** The object expression: `ns` in `ns.WebSocketNotifier`, `a.b` in `a.b.WebSocketNotifier`. */
  readonly object: string;
  readonly property: string;
  readonly line: number;
}

export interface LocalExport {
  readonly local: string;
  readonly exported: string;
}

export interface FileFacts {
  readonly imports: readonly ImportSite[];
  readonly definitions: readonly Definition[];
  readonly constructions: readonly Construction[];
  readonly memberUses: readonly MemberUse[];
  /** `export { a as b }` without a source, `export default a`, `exports.b = a`, Python `__all__`. */
  readonly localExports: readonly LocalExport[];
  /** 1-based line of the first syntax error, or null. */
  readonly syntaxErrorLine: number | null;
  /** `mock.patch('a.b.C')`, `jest.mock('./x')`…: module paths resolved at run time. */
  readonly stringReferences: readonly StringReference[];
}

/**
 * What the extractor should look for beyond imports, which it always lists in full. Keeping the
 * filters in ast-grep rules (run in Rust) instead of walking every node from JavaScript is most
 * of what makes extraction cheap. Plain data: it is sent to the extraction workers as is.
 */
export interface Interest {
  /** Exact concept names: constructions and member uses are only collected for these. */
  readonly names: readonly string[];
  /** Definitions whose name contains one of these words (case-sensitive) are listed. */
  readonly definitionWords: readonly string[];
  /** Also list every class with its members, for body similarity. */
  readonly allClasses: boolean;
}
