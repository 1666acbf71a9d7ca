import { resolve as resolvePath } from 'node:path';
import { compileGlobs } from '../files/glob.js';
import { walkSources } from '../files/walk.js';
import { mark } from '../timing.js';
import { VERSION } from '../version.js';
import { apiDrift as driftOf } from '../compat/api-drift.js';
import { SurfaceReader } from '../compat/class-surface.js';
import { checkCompatibility } from '../compat/compatibility.js';
import { attentionItems } from './attention.js';
import type { AuditReport, CanonicalInfo, ConceptAudit, DefinitionFinding, ImportPath, Location, UnresolvedImport } from './audit-result.js';
import type { ConceptSpec } from './concept-spec.js';
import { findConceptUses, type ConceptUse } from './concept-uses.js';
import { findConstructions } from './constructions.js';
import { countsAsImplementation, exactDefinitions, implementationKeys, nearDuplicates } from './definitions.js';
import { findDeprecatedReferences } from './deprecated-references.js';
import { ExportTracer, type DefinitionRef } from './export-trace.js';
import { definitionLabels, importPaths, toImportUse } from './import-paths.js';
import { computeMetrics, limitBreaches } from './metrics.js';
import { moduleRef, type ModuleRef } from './module-ref.js';
import { interestOf, prefilterTerms } from './prefilter.js';
import { Project } from './project.js';
import { conceptModules, resolveStringReferences, stringReferenceCensus, type ResolvedStringReference } from './string-census.js';
import { scanTree, type Scope } from './scan.js';
import { findUnresolvedImports } from './unresolved-imports.js';

export interface AuditOptions {
  readonly root: string;
  readonly concepts: readonly ConceptSpec[];
  readonly scope?: Scope;
  readonly exclude: readonly string[];
  readonly tests?: readonly string[];
  readonly conditions?: readonly string[];
  readonly pythonPaths?: readonly string[];
  /** Worker threads for parsing (0: main thread only); unset: one per core when the work is large. See ScanOptions. */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The report plus what `ssot fix` needs to rewrite: the project and every import of each concept. */
export interface AuditRun {
  readonly report: AuditReport;
  readonly project: Project;
  readonly uses: ReadonlyMap<string, readonly ConceptUse[]>;
  readonly canonical: ReadonlyMap<string, ModuleRef | null>;
  /** String references (`mock.patch('a.b.C')`…) that name a module of each concept. */
  readonly stringReferences: ReadonlyMap<string, readonly ResolvedStringReference[]>;
}

export async function audit(options: AuditOptions): Promise<AuditReport> {
  return (await auditRun(options)).report;
}

export async function auditRun(options: AuditOptions): Promise<AuditRun> {
  const started = performance.now();
  const root = resolvePath(options.root);
  const scope = options.scope ?? 'concept';
  const files = walkSources(root, { exclude: options.exclude, tests: options.tests ?? [] });
  mark(`walked: ${files.length} files`);
  const project = new Project(root, files, interestOf(options.concepts), {
    ...(options.conditions === undefined ? {} : { conditions: options.conditions }),
    ...(options.pythonPaths === undefined ? {} : { pythonPaths: options.pythonPaths }),
  });
  const stats = await scanTree(project, {
    scope,
    terms: prefilterTerms(options.concepts),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  mark(`scanned: ${stats.parsed} parsed`);
  const tracer = new ExportTracer(project);
  const deprecated = new Map(options.concepts.map((concept) => [concept.name, concept.deprecated.map((module) => moduleRef(project, module))]));
  const unresolved = findUnresolvedImports(project, options.concepts.map((concept) => ({ name: concept.name, deprecated: deprecated.get(concept.name) ?? [] })));
  const uses = new Map<string, readonly ConceptUse[]>();
  const canonical = new Map<string, ModuleRef | null>();
  const strings = new Map<string, readonly ResolvedStringReference[]>();
  const concepts = options.concepts.map((concept) => {
    const conceptUses = findConceptUses(project, tracer, concept.name, compileGlobs(concept.ignoreImportsIn));
    const canonicalRef = concept.canonical === null ? null : moduleRef(project, concept.canonical);
    uses.set(concept.name, conceptUses);
    canonical.set(concept.name, canonicalRef);
    const deprecatedRefs = deprecated.get(concept.name) ?? [];
    const stringRefs = resolveStringReferences(project, conceptModules(conceptUses, exactDefinitions(project, concept.name), deprecatedRefs));
    strings.set(concept.name, stringRefs);
    const context = { project, tracer, concept, uses: conceptUses, canonical: canonicalRef, deprecated: deprecatedRefs, strings: stringRefs };
    return auditConcept(context, unresolved.filter((item) => item.concepts.includes(concept.name)));
  });
  mark('analysed');
  const report: AuditReport = {
    tool: 'ssot',
    version: VERSION,
    root,
    scope,
    files: {
      total: files.length,
      typescript: files.filter((file) => file.family === 'ts').length,
      python: files.filter((file) => file.family === 'python').length,
      production: files.filter((file) => file.role === 'production').length,
      test: files.filter((file) => file.role === 'test').length,
      parsed: stats.parsed,
    },
    durationMs: Math.round(performance.now() - started),
    concepts,
    unresolvedImports: unresolved,
    notes: stats.commonWords.map(
      ({ word, files: count }) => `The role word "${word}" is in ${count} files, too many to parse for near-duplicates; similarly named classes are only looked for in files that mention a concept.`,
    ),
    parseErrors: parseErrors(project),
  };
  return { report, project, uses, canonical, stringReferences: strings };
}

interface ConceptContext {
  readonly project: Project;
  readonly tracer: ExportTracer;
  readonly concept: ConceptSpec;
  readonly uses: readonly ConceptUse[];
  readonly canonical: ModuleRef | null;
  readonly deprecated: readonly ModuleRef[];
  readonly strings: readonly ResolvedStringReference[];
}

function auditConcept(context: ConceptContext, unresolvedImports: UnresolvedImport[]): ConceptAudit {
  const { project, tracer, concept } = context;
  const exact = exactDefinitions(project, concept.name);
  const canonicalFile = context.canonical?.file ?? null;
  const canonicalDefinitions = canonicalFile === null ? [] : tracer.exported(canonicalFile, concept.name).definitions;
  const paths = importPaths(project, context.uses, context.canonical, context.deprecated);
  const definitions = exact.map((ref) => definitionFinding(ref, context, canonicalDefinitions));
  const duplicates = nearDuplicates(project, concept.name, exact);
  const constructible = exact.length === 0 || exact.some((ref) => ref.definition.kind !== 'function' || ref.file.family === 'ts');
  const constructions = constructible ? findConstructions(project, concept.name, concept.factories) : [];
  const deprecatedReferences = findDeprecatedReferences(project, context.deprecated);
  const implementations = implementationKeys(exact).length;
  const metrics = computeMetrics({ paths, implementations, nearDuplicates: duplicates, constructions, deprecatedReferences, unresolvedImports });
  const breaches = limitBreaches(metrics, concept.limits);
  const canonicalInfo = canonicalOf(context, canonicalDefinitions, paths);
  const compatibility = compatibilityOf(context, exact, canonicalDefinitions, definitions);
  return {
    concept: concept.name,
    canonical: canonicalInfo,
    factories: concept.factories,
    deprecated: concept.deprecated,
    status: breaches.length === 0 ? 'pass' : 'fail',
    metrics,
    limits: concept.limits,
    breaches,
    definitions,
    nearDuplicates: duplicates,
    importPaths: paths,
    reExports: context.uses.filter((use) => use.role === 're-export').map(toImportUse),
    unresolvedImports,
    constructions,
    deprecatedReferences,
    attention: attentionItems({
      definitions, implementations, paths, canonicalPath: canonicalInfo?.suggested === false ? canonicalInfo.module : null,
      constructions, factoriesConfigured: concept.factories.length > 0, deprecatedReferences, unresolvedImports,
    }),
    ...compatibility,
    stringReferences: stringReferenceCensus(context.strings, context.canonical, context.deprecated),
  };
}

/**
 * API drift between the class implementations, against the canonical one (else the one most
 * files reach), and with a canonical module, the callers a migration to it would break.
 */
function compatibilityOf(context: ConceptContext, exact: readonly DefinitionRef[], canonical: readonly DefinitionRef[], findings: readonly DefinitionFinding[]): Pick<ConceptAudit, 'apiDrift' | 'migrationMismatches'> {
  const implementations = exact.filter(countsAsImplementation);
  if (implementations.length < 2 && context.canonical === null) return { apiDrift: [], migrationMismatches: [] };
  const reader = new SurfaceReader(context.project);
  const reachedBy = (ref: DefinitionRef): number => findings.find((f) => f.file === ref.file.rel && f.line === ref.definition.line)?.reachedByFiles ?? 0;
  const reference = implementations.find((ref) => canonical.some((found) => sameDefinition(found, ref))) ?? [...implementations].sort((a, b) => reachedBy(b) - reachedBy(a))[0];
  const apiDrift = implementations.length < 2 ? [] : driftOf(reader, reference, implementations);
  if (context.canonical === null) return { apiDrift, migrationMismatches: [] };
  const keys = context.canonical.keys;
  const moving = context.uses.filter((use) => use.role === 'consumer' && !keys.has(use.pathKey));
  return { apiDrift, migrationMismatches: checkCompatibility(context.project, context.concept.name, context.canonical, moving, reader).mismatches };
}

function definitionFinding(ref: DefinitionRef, context: ConceptContext, canonical: readonly DefinitionRef[]): DefinitionFinding {
  const reachers = new Set(
    context.uses.filter((use) => use.role === 'consumer' && use.trace.definitions.some((found) => sameDefinition(found, ref))).map((use) => use.file.path),
  );
  return {
    file: ref.file.rel,
    line: ref.definition.line,
    role: ref.file.role,
    name: ref.definition.name,
    qualifiedName: ref.definition.qualifiedName,
    kind: ref.definition.kind,
    exported: ref.definition.exported !== 'none',
    countsAsImplementation: countsAsImplementation(ref),
    canonical: canonical.some((found) => sameDefinition(found, ref)),
    inDeprecatedModule: context.deprecated.some((module) => module.file?.path === ref.file.path),
    reachedByFiles: reachers.size,
  };
}

function sameDefinition(a: DefinitionRef, b: DefinitionRef): boolean {
  return a.file.path === b.file.path && a.definition.line === b.definition.line && a.definition.name === b.definition.name;
}

function canonicalOf(context: ConceptContext, definitions: readonly DefinitionRef[], paths: readonly ImportPath[]): CanonicalInfo | null {
  if (context.canonical !== null) {
    const file = context.canonical.file;
    return { module: context.canonical.written, target: file === null ? null : file.rel, definitions: definitionLabels(definitions), suggested: false };
  }
  // Without a configured canonical path, the one most files already use is the cheapest to converge on.
  const busiest = paths.find((path) => path.resolution === 'resolved' && !path.deprecated);
  return busiest === undefined ? null : { module: busiest.path, target: busiest.target, definitions: busiest.definitions, suggested: true };
}

function parseErrors(project: Project): Location[] {
  return project.scannedFiles().flatMap((file) => {
    const line = project.facts(file).syntaxErrorLine;
    return line === null ? [] : [{ file: file.rel, line, role: file.role }];
  });
}
