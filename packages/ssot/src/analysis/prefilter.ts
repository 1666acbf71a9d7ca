import type { Interest } from '../facts/file-facts.js';
import type { ConceptSpec } from './concept-spec.js';
import { roleWord } from './name-words.js';

/**
 * A file can only define, import, construct or reach a concept if its text contains the
 * concept's name or the name of a deprecated module (primary terms); a similarly named class
 * needs the concept's role word (`Notifier`, a secondary term). Finding those bytes with
 * memchr-speed `Buffer.includes` lets the audit parse a small fraction of a large tree; barrels
 * that re-export with `export *` and mention nothing are parsed later, on demand, when an
 * import chain leads into them.
 */
export interface PrefilterTerms {
  readonly primary: readonly string[];
  readonly secondary: readonly string[];
}

export function prefilterTerms(concepts: readonly ConceptSpec[]): PrefilterTerms {
  const primary = new Set<string>();
  const secondary = new Set<string>();
  for (const concept of concepts) {
    primary.add(concept.name);
    for (const module of concept.deprecated) primary.add(moduleBaseName(module));
    const role = roleWord(concept.name);
    if (role !== null) secondary.add(role);
  }
  for (const term of primary) secondary.delete(term);
  return { primary: [...primary].filter((term) => term.length > 0), secondary: [...secondary] };
}

/**
 * A role word found in more files than this is a common word (`Error`, `Dict`): files are not
 * parsed just for containing it, or a near-duplicate search would parse the whole tree.
 */
export function secondaryLimit(totalFiles: number): number {
  return Math.max(50, Math.ceil(totalFiles * 0.05));
}

export function interestOf(concepts: readonly ConceptSpec[]): Interest {
  const names = concepts.map((concept) => concept.name);
  const parts = concepts.flatMap((concept) => {
    const role = roleWord(concept.name);
    return role === null ? [concept.name] : [concept.name, role];
  });
  return { names, definitionWords: [...new Set(parts)], allClasses: true };
}

/** `a/b/websocket_notifier.py` and `a.b.websocket_notifier` → `websocket_notifier`; `x/index.ts` → `x`. */
export function moduleBaseName(module: string): string {
  const segments = module.replace(/\.(?:d\.)?[cm]?[jt]sx?$|\.pyi?$/, '').split(/[/\\]/);
  let last = segments.pop() ?? '';
  if (last === 'index' || last === '__init__') last = segments.pop() ?? last;
  if (!module.includes('/') && !module.startsWith('.')) last = last.split('.').pop() ?? last;
  return last;
}
