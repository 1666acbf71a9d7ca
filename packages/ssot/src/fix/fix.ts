import { readFileSync, writeFileSync } from 'node:fs';
import { auditRun, type AuditOptions, type AuditRun } from '../analysis/audit.js';
import type { Metrics } from '../analysis/audit-result.js';
import type { ConceptUse } from '../analysis/concept-uses.js';
import { ExportTracer } from '../analysis/export-trace.js';
import type { ModuleRef } from '../analysis/module-ref.js';
import type { Project } from '../analysis/project.js';
import { SurfaceReader } from '../compat/class-surface.js';
import { canonicalSurface, checkCompatibility, type CompatibilityReport, type Mismatch } from '../compat/compatibility.js';
import { moduleNames } from '../compat/module-names.js';
import { SsotError, SsotErrorCode } from '../errors.js';
import { rewriteSite } from './rewrite-site.js';
import { rewriteStringReferences, type StringRewrites } from './string-rewrites.js';
import { targetSpecifier } from './target-specifier.js';
import { applyEdits, type TextEdit } from './text-edit.js';
import { unifiedDiff } from './unified-diff.js';

export interface FixOptions extends AuditOptions {
  readonly write: boolean;
  /** Write even when callers use what the canonical definition lacks (default false: refuse). */
  readonly allowIncompatible?: boolean;
}

export interface FileChange {
  readonly file: string;
  readonly imports: number;
  /** String references rewritten (`mock.patch('old.X')` → `mock.patch('canonical.X')`). */
  readonly strings: number;
  readonly diff: string;
}

export interface SkippedImport {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface FixResult {
  readonly concept: string;
  readonly canonical: string;
  readonly changes: readonly FileChange[];
  readonly skipped: readonly SkippedImport[];
  readonly written: boolean;
  /** True when `write` was asked for and refused because of compatibility mismatches. */
  readonly refused: boolean;
  /** Every rewritten file checked against the canonical definition. */
  readonly compatibility: CompatibilityReport;
  readonly before: Metrics;
  /** Metrics from a fresh audit after writing; null on a dry run. */
  readonly after: Metrics | null;
}

/** Rewrites every import of the concept to the canonical module; writes only when asked. */
export async function fixImports(options: FixOptions): Promise<FixResult> {
  const concept = options.concepts[0];
  if (concept === undefined || options.concepts.length !== 1) throw new SsotError(SsotErrorCode.USAGE, 'ssot fix works on exactly one --concept');
  if (concept.canonical === null) throw new SsotError(SsotErrorCode.USAGE, 'ssot fix needs --canonical MODULE');
  const run = await auditRun(options);
  const canonical = run.canonical.get(concept.name) ?? null;
  if (canonical === null || (canonical.form !== 'specifier' && canonical.file === null)) {
    throw new SsotError(SsotErrorCode.CANONICAL_UNRESOLVED, `canonical module '${concept.canonical}' is not a module in ${run.project.root}`);
  }
  const plan = planEdits(run.project, run.uses.get(concept.name) ?? [], concept.name, canonical);
  const reader = new SurfaceReader(run.project);
  const strings = planStrings(run, concept.name, canonical, plan, reader);
  const changes: FileChange[] = [];
  const after = new Map<string, string>();
  for (const [path, edits] of plan.edits) {
    const file = run.project.fileAt(path);
    if (file === undefined) continue;
    const source = readFileSync(path, 'utf8');
    const rewritten = applyEdits(source, edits.edits);
    if (rewritten === null) {
      plan.skipped.push({ file: file.rel, line: 0, reason: 'overlapping rewrites; fix this file by hand' });
      continue;
    }
    after.set(path, rewritten);
    changes.push({ file: file.rel, imports: edits.sites, strings: edits.strings, diff: unifiedDiff(file.rel, source, rewritten) });
  }
  const before = run.report.concepts[0]?.metrics;
  if (before === undefined) throw new SsotError(SsotErrorCode.USAGE, 'nothing to fix');
  const checked = checkCompatibility(run.project, concept.name, canonical, plan.planned.filter((use) => after.has(use.file.path)), reader);
  const compatibility = { ...checked, mismatches: [...checked.mismatches, ...strings.mismatches].sort(byLocation) };
  const refused = options.write && compatibility.mismatches.length > 0 && options.allowIncompatible !== true;
  const result = { concept: concept.name, canonical: canonical.written, changes, skipped: plan.skipped, compatibility, before };
  if (!options.write || refused || after.size === 0) return { ...result, written: false, refused, after: null };
  for (const [path, text] of after) writeFile(path, text);
  const again = await auditRun(options);
  return { ...result, written: true, refused: false, after: again.report.concepts[0]?.metrics ?? null };
}

interface Plan {
  readonly edits: Map<string, { edits: TextEdit[]; sites: number; strings: number }>;
  readonly skipped: SkippedImport[];
  /** The imports the edits rewrite: whose files the compatibility check reads. */
  readonly planned: ConceptUse[];
}

function planEdits(project: Project, uses: readonly ConceptUse[], name: string, canonical: ModuleRef): Plan {
  const plan: Plan = { edits: new Map(), skipped: [], planned: [] };
  const protectedFiles = canonicalChain(project, name, canonical);
  const done = new Set<string>();
  for (const use of uses) {
    const siteKey = `${use.file.path}:${use.site.statement.start}:${use.site.source.start}`;
    if (done.has(siteKey) || canonical.keys.has(use.pathKey) || protectedFiles.has(use.file.path)) continue;
    done.add(siteKey);
    const target = targetSpecifier(project, use.file, use.site, canonical);
    if (target === null) continue;
    if (project.facts(use.file).syntaxErrorLine !== null) {
      plan.skipped.push({ file: use.file.rel, line: use.site.line, reason: 'the file has syntax errors; left alone' });
      continue;
    }
    const source = readFileSync(use.file.path, 'utf8');
    const rewrite = rewriteSite(use.file, source, use.site, name, target);
    if ('manual' in rewrite) {
      plan.skipped.push({ file: use.file.rel, line: use.site.line, reason: rewrite.manual });
      continue;
    }
    const entry = plan.edits.get(use.file.path) ?? { edits: [], sites: 0, strings: 0 };
    entry.edits.push(...rewrite.edits);
    entry.sites += 1;
    plan.planned.push(use);
    plan.edits.set(use.file.path, entry);
  }
  return plan;
}

/** Adds the string-reference rewrites to the plan; returns what they cannot rewrite safely. */
function planStrings(run: AuditRun, name: string, canonical: ModuleRef, plan: Plan, reader: SurfaceReader): StringRewrites {
  const protectedFiles = canonicalChain(run.project, name, canonical);
  const moving = (run.stringReferences.get(name) ?? []).filter((entry) => !protectedFiles.has(entry.module.path) && !canonical.keys.has(entry.pathKey));
  const offered = {
    surface: canonicalSurface(run.project, name, canonical, reader),
    names: canonical.file === null ? null : moduleNames(reader.root(canonical.file), canonical.file.family === 'python'),
  };
  const rewrites = rewriteStringReferences(run.project, name, canonical, moving, offered);
  for (const [path, edits] of rewrites.edits) {
    const entry = plan.edits.get(path) ?? { edits: [], sites: 0, strings: 0 };
    entry.edits.push(...edits);
    entry.strings += edits.length;
    plan.edits.set(path, entry);
  }
  return rewrites;
}

function byLocation(a: Mismatch, b: Mismatch): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

/**
 * The canonical module and the barrels and definitions behind it must keep importing the
 * implementation directly: pointing them at the canonical path would make it import itself.
 */
function canonicalChain(project: Project, name: string, canonical: ModuleRef): Set<string> {
  const files = new Set<string>();
  if (canonical.file === null) return files;
  files.add(canonical.file.path);
  const trace = new ExportTracer(project).exported(canonical.file, name);
  for (const file of trace.via) files.add(file.path);
  for (const ref of trace.definitions) files.add(ref.file.path);
  return files;
}

function writeFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new SsotError(SsotErrorCode.WRITE_FAILED, `cannot write ${path}`, { cause: error });
  }
}
