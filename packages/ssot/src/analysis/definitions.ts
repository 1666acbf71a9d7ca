import type { Definition } from '../facts/file-facts.js';
import type { DefinitionRef } from './export-trace.js';
import type { NearDuplicate } from './audit-result.js';
import { normaliseName, roleWord } from './name-words.js';
import type { Project } from './project.js';
import { compareText } from './text-order.js';

const DUPLICATE_KINDS = new Set(['class', 'function', 'interface', 'type', 'export-assignment']);
/** Below this many members a class's body says too little to compare. */
const MIN_MEMBERS = 3;
const SIMILAR_BODY = 0.5;
const SIMILAR_BODY_ALONE = 0.6;

/** Every definition named exactly like the concept, nested ones included. */
export function exactDefinitions(project: Project, name: string): DefinitionRef[] {
  return project.scannedFiles().flatMap((file) =>
    project.facts(file).definitions.filter((definition) => definition.name === name).map((definition) => ({ file, definition })),
  );
}

/**
 * Declarations (.d.ts, .pyi, `declare`) and renames (`X = Y`, `X = None`) are listed but are not
 * implementations; several definitions in one file (overloads, `type X` beside `const X`,
 * `try:`/`except ImportError:` variants) are one.
 */
export function countsAsImplementation(ref: DefinitionRef): boolean {
  return !ref.definition.ambient && !ref.file.declarationOnly && ref.definition.kind !== 'alias';
}

/** Distinct implementations: one per file and qualified name (`A.X` nested in a class is its own). */
export function implementationKeys(refs: readonly DefinitionRef[]): string[] {
  return [...new Set(refs.filter(countsAsImplementation).map((ref) => `${ref.file.rel}#${ref.definition.qualifiedName}`))];
}

/**
 * Definitions that may be the concept under another name: the name contains it
 * (`LegacyWebSocketNotifier`), shares its role word (`EmailNotifier`), subclasses it, or the
 * class body shares most members with it.
 */
export function nearDuplicates(project: Project, name: string, exact: readonly DefinitionRef[]): NearDuplicate[] {
  const role = roleWord(name);
  const concept = normaliseName(name);
  const bodies = exact.filter((ref) => ref.definition.members.length >= MIN_MEMBERS).map((ref) => ref.definition.members);
  const found: NearDuplicate[] = [];
  for (const file of project.scannedFiles()) {
    for (const definition of project.facts(file).definitions) {
      if (definition.name === name || !DUPLICATE_KINDS.has(definition.kind) || definition.ambient) continue;
      const similarity = bestSimilarity(definition, bodies);
      const reasons = duplicateReasons(definition, name, concept, role, similarity);
      if (reasons.length === 0) continue;
      const likely = normaliseName(definition.name).includes(concept) || similarity >= SIMILAR_BODY;
      found.push({
        file: file.rel, line: definition.line, role: file.role, name: definition.name, qualifiedName: definition.qualifiedName,
        kind: definition.kind, reasons, bodySimilarity: round(similarity), likely,
      });
    }
  }
  return found.sort((a, b) => Number(b.likely) - Number(a.likely) || b.bodySimilarity - a.bodySimilarity || compareText(a.file, b.file) || a.line - b.line);
}

function duplicateReasons(definition: Definition, name: string, concept: string, role: string | null, similarity: number): string[] {
  const reasons: string[] = [];
  const own = normaliseName(definition.name);
  if (own.includes(concept)) reasons.push(`name contains ${name}`);
  // A function ending in the role word is usually its factory (`createNotifier`), not a rival.
  else if (role !== null && definition.kind !== 'function' && roleWord(definition.name) === role) reasons.push(`same role word (${role})`);
  if (definition.bases.some((base) => base === name || base.endsWith(`.${name}`))) reasons.push(`subclass of ${name}`);
  const related = reasons.length > 0;
  if (similarity >= (related ? SIMILAR_BODY : SIMILAR_BODY_ALONE)) reasons.push(`similar body (${Math.round(similarity * 100)}% of members shared)`);
  return reasons;
}

function bestSimilarity(definition: Definition, bodies: readonly (readonly string[])[]): number {
  if (definition.members.length < MIN_MEMBERS) return 0;
  let best = 0;
  for (const body of bodies) best = Math.max(best, jaccard(definition.members, body));
  return best;
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  const left = new Set(a.filter((member) => member !== 'constructor' && member !== '__init__'));
  const right = new Set(b.filter((member) => member !== 'constructor' && member !== '__init__'));
  let shared = 0;
  for (const member of left) if (right.has(member)) shared += 1;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
