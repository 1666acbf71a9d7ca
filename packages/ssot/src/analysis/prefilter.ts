import type { Interest } from '../facts/file-facts.js';
import { escapeRegex } from '../facts/syntax-node.js';
import type { ConceptSpec } from './concept-spec.js';
import { roleWord } from './name-words.js';

/**
 * A file can only define, import, construct or reach a concept if its text contains the
 * concept's name, a similar class name (sharing its role word) or the name of a deprecated
 * module. Finding those bytes with memchr-speed `Buffer.indexOf` lets the audit parse a small
 * fraction of a large tree; barrels that re-export with `export *` and mention nothing are
 * parsed later, on demand, when an import chain leads into them.
 */
export function prefilterTerms(concepts: readonly ConceptSpec[]): string[] {
  const terms = new Set<string>();
  for (const concept of concepts) {
    terms.add(concept.name);
    const role = roleWord(concept.name);
    if (role !== null) terms.add(role);
    for (const module of concept.deprecated) terms.add(moduleBaseName(module));
  }
  return [...terms].filter((term) => term.length > 0);
}

export function interestOf(concepts: readonly ConceptSpec[]): Interest {
  const names = concepts.map((concept) => concept.name);
  const parts = concepts.flatMap((concept) => {
    const role = roleWord(concept.name);
    return role === null ? [concept.name] : [concept.name, role];
  });
  return { names, definitionPattern: [...new Set(parts)].map(escapeRegex).join('|'), allClasses: true };
}

/** `a/b/websocket_notifier.py` and `a.b.websocket_notifier` → `websocket_notifier`; `x/index.ts` → `x`. */
export function moduleBaseName(module: string): string {
  const segments = module.replace(/\.(?:d\.)?[cm]?[jt]sx?$|\.pyi?$/, '').split(/[/\\]/);
  let last = segments.pop() ?? '';
  if (last === 'index' || last === '__init__') last = segments.pop() ?? last;
  if (!module.includes('/') && !module.startsWith('.')) last = last.split('.').pop() ?? last;
  return last;
}
