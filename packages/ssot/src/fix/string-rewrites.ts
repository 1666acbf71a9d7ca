import type { ModuleRef } from '../analysis/module-ref.js';
import type { Project } from '../analysis/project.js';
import { stringSite, type ResolvedStringReference } from '../analysis/string-census.js';
import type { ClassSurface } from '../compat/class-surface.js';
import type { Mismatch } from '../compat/compatibility.js';
import { targetSpecifier } from './target-specifier.js';
import type { TextEdit } from './text-edit.js';

export interface StringRewrites {
  readonly edits: Map<string, TextEdit[]>;
  readonly mismatches: Mismatch[];
}

/**
 * Points string references at the canonical module, as the imports are: `patch('old.C')` becomes
 * `patch('canonical.C')`, `jest.mock('./old.js')` `jest.mock('./canonical.js')`. What the string
 * names inside the module must exist there too (`patch('old.logger')` needs a `logger` in the
 * canonical module); when it does not, or when `patch.object` patches the old module object
 * itself, it is a mismatch, not a rewrite.
 */
export function rewriteStringReferences(
  project: Project,
  name: string,
  canonical: ModuleRef,
  references: readonly ResolvedStringReference[],
  offered: { readonly surface: ClassSurface | null; readonly names: ReadonlySet<string> | null },
): StringRewrites {
  const result: StringRewrites = { edits: new Map(), mismatches: [] };
  for (const entry of references) {
    const { file, reference } = entry;
    const base = { file: file.rel, line: reference.line, role: file.role, kind: 'string-reference' as const, subject: reference.value };
    const [first = '', second] = entry.rest.split('.');
    if (first === name && second !== undefined && offered.surface !== null && offered.surface.openBecause === null && !offered.surface.members.has(second)) {
      result.mismatches.push({ ...base, detail: `${reference.kind} names '${name}.${second}'; the canonical ${name} has no such member` });
    } else if (first !== '' && first !== name && offered.names !== null && !offered.names.has(first)) {
      result.mismatches.push({ ...base, detail: `${reference.kind} names '${first}' in ${entry.pathKey}; the canonical module ${canonical.written} has no such name` });
      continue;
    }
    if (reference.kind === 'patch.object') {
      if (first !== name) result.mismatches.push({ ...base, detail: `patch.object patches the module object ${entry.pathKey}; point it at ${canonical.written} by hand` });
      continue;
    }
    const target = targetSpecifier(project, file, stringSite(reference), canonical);
    if (target === null) continue;
    const text = file.family === 'python' && entry.rest !== '' ? `${target}.${entry.rest}` : target;
    const edits = result.edits.get(file.path) ?? [];
    edits.push({ start: reference.start, end: reference.end, text });
    result.edits.set(file.path, edits);
  }
  return result;
}
