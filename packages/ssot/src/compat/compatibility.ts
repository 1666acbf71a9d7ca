import type { ConceptUse } from '../analysis/concept-uses.js';
import { ExportTracer } from '../analysis/export-trace.js';
import type { ModuleRef } from '../analysis/module-ref.js';
import type { Project } from '../analysis/project.js';
import type { FileRole } from '../files/file-role.js';
import { SurfaceReader, type ClassSurface } from './class-surface.js';
import { moduleNames } from './module-names.js';
import { bindingProblems, signatureText } from './signature.js';
import { apiUses } from './usage.js';

/** One thing a file does with the concept that the canonical definition does not offer. */
export interface Mismatch {
  readonly file: string;
  readonly line: number;
  readonly role: FileRole;
  readonly kind: 'missing-member' | 'constructor' | 'string-reference';
  /** The missing member, the call as written, or the string. */
  readonly subject: string;
  readonly detail: string;
}

export interface CompatibilityReport {
  /** `file:line` of the canonical class the uses were checked against; null when it is no class. */
  readonly canonicalClass: string | null;
  readonly canonicalSignature: string | null;
  readonly mismatches: readonly Mismatch[];
  /** What could not be checked and why (a base outside the tree, names left on the old import). */
  readonly notes: readonly string[];
}

/**
 * Checks every file whose import `fix` would rewrite against the canonical definition: each
 * construction must bind to its constructor, and each member read on the class or on an
 * instance must exist on it (inherited members included). Names imported alongside the concept
 * stay on their old import, so they are listed as notes, not mismatches.
 */
export function checkCompatibility(project: Project, name: string, canonical: ModuleRef, uses: readonly ConceptUse[], reader = new SurfaceReader(project)): CompatibilityReport {
  const surface = canonicalSurface(project, name, canonical, reader);
  const notes: string[] = [];
  if (surface?.openBecause != null) notes.push(`members are not checked: ${surface.openBecause}`);
  if (surface !== null && surface.constructor === null) notes.push('constructor arguments are not checked: the constructor is inherited from outside the tree');
  const mismatches: Mismatch[] = [];
  const seen = new Set<string>();
  const canonicalNames = canonical.file === null ? null : moduleNames(reader.root(canonical.file), canonical.file.family === 'python');
  for (const use of uses) {
    const key = `${use.file.path}\0${use.local}`;
    if (seen.has(key)) continue;
    seen.add(key);
    alongside(use, name, canonicalNames, notes);
    if (surface === null) continue;
    for (const apiUse of apiUses(reader.root(use.file), use.file.family === 'python', use.local)) {
      const base = { file: use.file.rel, line: apiUse.line, role: use.file.role };
      if (apiUse.kind === 'construct') {
        if (surface.constructor === null) continue;
        const problems = bindingProblems(surface.constructor, apiUse.call);
        if (problems.length > 0) mismatches.push({ ...base, kind: 'constructor', subject: apiUse.text, detail: `${problems.join('; ')} — canonical ${name}${signatureText(surface.constructor)}` });
      } else if (surface.openBecause === null && !surface.members.has(apiUse.member)) {
        const on = apiUse.kind === 'class-member' ? `the class (${apiUse.via})` : `an instance (${apiUse.via})`;
        mismatches.push({ ...base, kind: 'missing-member', subject: apiUse.member, detail: `'${apiUse.member}' read on ${on}; the canonical ${name} has no such member` });
      }
    }
  }
  mismatches.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return {
    canonicalClass: surface?.at ?? null,
    canonicalSignature: surface?.constructor == null ? null : signatureText(surface.constructor),
    mismatches,
    notes: [...new Set(notes)],
  };
}

export function canonicalSurface(project: Project, name: string, canonical: ModuleRef, reader: SurfaceReader): ClassSurface | null {
  if (canonical.file === null) return null;
  const definition = new ExportTracer(project).exported(canonical.file, name).definitions.find((ref) => ref.definition.kind === 'class');
  if (definition !== undefined) return reader.surface(definition.file, definition.definition.name, definition.definition.line);
  return reader.surface(canonical.file, name);
}

function alongside(use: ConceptUse, name: string, canonicalNames: ReadonlySet<string> | null, notes: string[]): void {
  if (canonicalNames === null) return;
  for (const binding of use.site.names) {
    if (binding.imported === name || binding.imported === 'default' || canonicalNames.has(binding.imported)) continue;
    notes.push(`${use.file.rel}:${use.site.line}: '${binding.imported}' is imported alongside ${name} from ${use.site.specifier} and is not in the canonical module; it stays on the old import`);
  }
}
