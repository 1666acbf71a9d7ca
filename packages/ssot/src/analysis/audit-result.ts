import type { ApiDrift } from '../compat/api-drift.js';
import type { Mismatch } from '../compat/compatibility.js';
import type { ImportKind } from '../facts/file-facts.js';
import type { StringReferencePath } from './string-census.js';
import type { FileRole } from '../files/file-role.js';
import type { Limits } from './concept-spec.js';
import type { Scope } from './scan.js';

/** The audit's output: the JSON report is exactly this, and the Markdown report renders it. */

export type { ApiDrift, Mismatch, StringReferencePath };

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly role: FileRole;
}

export interface DefinitionFinding extends Location {
  readonly name: string;
  readonly qualifiedName: string;
  readonly kind: string;
  readonly exported: boolean;
  /** A declaration only (.d.ts, .pyi, `declare`) or a rename (`X = Y`): listed, not counted. */
  readonly countsAsImplementation: boolean;
  readonly canonical: boolean;
  readonly inDeprecatedModule: boolean;
  /** Files whose imports of the concept resolve to this definition. */
  readonly reachedByFiles: number;
}

export interface NearDuplicate extends Location {
  readonly name: string;
  readonly qualifiedName: string;
  readonly kind: string;
  readonly reasons: readonly string[];
  /** Share of members in common with the most similar definition of the concept (0..1). */
  readonly bodySimilarity: number;
  readonly likely: boolean;
}

export interface ImportUse extends Location {
  readonly kind: ImportKind;
  readonly specifier: string;
  /** How the file refers to the concept: `WebSocketNotifier`, `WSN`, `ns.WebSocketNotifier`. */
  readonly local: string;
  readonly typeOnly: boolean;
}

export interface ImportPath {
  /** The census key: a package specifier or alias as written, a root-relative module, a dotted Python module. */
  readonly path: string;
  /** Distinct specifiers as written in the files. */
  readonly specifiers: readonly string[];
  readonly resolution: 'resolved' | 'unresolved' | 'external' | 'builtin';
  /** Root-relative file the path resolves to (or absolute, outside the tree). */
  readonly target: string | null;
  /** `file:line` of the definitions reached through this path. */
  readonly definitions: readonly string[];
  /** Barrels and re-exporting modules on the way. */
  readonly via: readonly string[];
  readonly files: number;
  readonly productionFiles: number;
  readonly testFiles: number;
  readonly canonical: boolean;
  readonly deprecated: boolean;
  readonly uses: readonly ImportUse[];
}

export interface UnresolvedImport extends Location {
  readonly specifier: string;
  readonly reason: string;
  /** False for `import type` and declaration files: erased before run time. */
  readonly breaksAtRunTime: boolean;
  /** Names of audited concepts this import was meant to bring in. */
  readonly concepts: readonly string[];
}

export interface ConstructionFinding extends Location {
  readonly column: number;
  readonly callee: string;
  readonly snippet: string;
  /** `AgentInstanceFactory.create`, or `<module>` at top level. */
  readonly enclosing: string;
  /** The allowed factory this construction is inside, or null when it bypasses them. */
  readonly factory: string | null;
}

export interface DeprecatedReference extends Location {
  readonly specifier: string;
  readonly module: string;
  readonly names: readonly string[];
}

export interface Metrics {
  /** Distinct import paths through which production and test files reach the concept. */
  readonly importPaths: number;
  readonly importPathsProduction: number;
  readonly filesReaching: number;
  readonly implementations: number;
  readonly nearDuplicates: number;
  readonly constructions: number;
  readonly constructionsViaFactory: number;
  readonly constructionsOutsideFactory: number;
  /** Share of constructions inside an allowed factory, 0..1; null when nothing is constructed. */
  readonly factoryShare: number | null;
  readonly deprecatedReferences: number;
  readonly unresolvedImports: number;
}

export interface LimitBreach {
  readonly metric: keyof Limits;
  readonly limit: number;
  readonly actual: number;
}

export type Priority = 'P0' | 'P1' | 'P2';

export interface AttentionItem {
  readonly priority: Priority;
  readonly file: string;
  readonly role: FileRole;
  readonly action: string;
  readonly reasons: readonly string[];
}

export interface CanonicalInfo {
  readonly module: string;
  readonly target: string | null;
  readonly definitions: readonly string[];
  /** True when no canonical was configured and ssot picked the most-used path. */
  readonly suggested: boolean;
}

export interface ConceptAudit {
  readonly concept: string;
  readonly canonical: CanonicalInfo | null;
  readonly factories: readonly string[];
  readonly deprecated: readonly string[];
  readonly status: 'pass' | 'fail';
  readonly metrics: Metrics;
  readonly limits: Limits;
  readonly breaches: readonly LimitBreach[];
  readonly definitions: readonly DefinitionFinding[];
  readonly nearDuplicates: readonly NearDuplicate[];
  readonly importPaths: readonly ImportPath[];
  readonly reExports: readonly ImportUse[];
  readonly unresolvedImports: readonly UnresolvedImport[];
  readonly constructions: readonly ConstructionFinding[];
  readonly deprecatedReferences: readonly DeprecatedReference[];
  readonly attention: readonly AttentionItem[];
  /** API differences between competing class implementations, against the canonical (else most used) one. */
  readonly apiDrift: readonly ApiDrift[];
  /**
   * With a canonical module: what files importing the concept through other paths use that the
   * canonical definition lacks — what `fix --write` would refuse over.
   */
  readonly migrationMismatches: readonly Mismatch[];
  /** Module paths in strings resolved at run time (`mock.patch('a.b.C')`, `jest.mock('./x')`), per module. */
  readonly stringReferences: readonly StringReferencePath[];
}

export interface AuditReport {
  readonly tool: 'ssot';
  readonly version: string;
  readonly root: string;
  readonly scope: Scope;
  readonly files: {
    readonly total: number;
    readonly typescript: number;
    readonly python: number;
    readonly production: number;
    readonly test: number;
    readonly parsed: number;
  };
  readonly durationMs: number;
  readonly concepts: readonly ConceptAudit[];
  /** Every unresolved import in the files examined (all files in `tree` scope). */
  readonly unresolvedImports: readonly UnresolvedImport[];
  /** Caveats about this run, e.g. a role word too common to select files by. */
  readonly notes: readonly string[];
  /** Files with syntax errors: their findings may be incomplete, and `fix` leaves them alone. */
  readonly parseErrors: readonly Location[];
}
