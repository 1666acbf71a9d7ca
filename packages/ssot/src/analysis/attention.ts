import type { FileRole } from '../files/file-role.js';
import type {
  AttentionItem, ConstructionFinding, DefinitionFinding, DeprecatedReference, ImportPath, Priority, UnresolvedImport,
} from './audit-result.js';
import { compareText } from './text-order.js';

export interface AttentionInputs {
  readonly definitions: readonly DefinitionFinding[];
  readonly implementations: number;
  readonly paths: readonly ImportPath[];
  readonly canonicalPath: string | null;
  readonly constructions: readonly ConstructionFinding[];
  /** Without configured factories every construction is "outside", which says nothing per file. */
  readonly factoriesConfigured: boolean;
  readonly deprecatedReferences: readonly DeprecatedReference[];
  readonly unresolvedImports: readonly UnresolvedImport[];
}

interface Draft {
  priority: Priority;
  role: FileRole;
  actions: string[];
  reasons: string[];
}

const RANK: Record<Priority, number> = { P0: 0, P1: 1, P2: 2 };

/**
 * "Files requiring immediate attention", as the tracker ranks them. P0: what is wrong at run
 * time or defines the competing copy (duplicate implementations, imports that break, production
 * code bypassing the factory). P1: production code on a legacy path. P2: the same in tests.
 */
export function attentionItems(inputs: AttentionInputs): AttentionItem[] {
  const drafts = new Map<string, Draft>();
  const add = (file: string, role: FileRole, priority: Priority, action: string, reason: string): void => {
    const draft = drafts.get(file) ?? { priority, role, actions: [], reasons: [] };
    if (RANK[priority] < RANK[draft.priority]) draft.priority = priority;
    if (!draft.actions.includes(action)) draft.actions.push(action);
    if (!draft.reasons.includes(reason)) draft.reasons.push(reason);
    drafts.set(file, draft);
  };
  definitionItems(inputs, add);
  for (const item of inputs.unresolvedImports) {
    if (item.breaksAtRunTime) add(item.file, item.role, item.role === 'test' ? 'P1' : 'P0', 'Fix import', `line ${item.line}: '${item.specifier}' resolves to no module`);
  }
  for (const item of inputs.factoriesConfigured ? inputs.constructions : []) {
    if (item.factory === null) add(item.file, item.role, item.role === 'test' ? 'P2' : 'P0', 'Use the factory', `line ${item.line}: direct construction \`${item.snippet}\``);
  }
  for (const item of inputs.deprecatedReferences) {
    add(item.file, item.role, item.role === 'test' ? 'P2' : 'P1', 'Stop importing deprecated module', `line ${item.line}: imports ${item.module}`);
  }
  for (const path of inputs.paths) {
    if (path.canonical || (inputs.canonicalPath === null && inputs.paths.length <= 1)) continue;
    for (const use of path.uses) {
      const target = inputs.canonicalPath === null ? 'one canonical path' : `\`${inputs.canonicalPath}\``;
      add(use.file, use.role, use.role === 'test' ? 'P2' : 'P1', `Update imports to ${target}`, `line ${use.line}: imports from \`${use.specifier}\``);
    }
  }
  return [...drafts]
    .map(([file, draft]) => ({ priority: draft.priority, file, role: draft.role, action: draft.actions.join('; '), reasons: draft.reasons }))
    .sort((a, b) => RANK[a.priority] - RANK[b.priority] || compareText(a.file, b.file));
}

type Add = (file: string, role: FileRole, priority: Priority, action: string, reason: string) => void;

function definitionItems(inputs: AttentionInputs, add: Add): void {
  if (inputs.implementations <= 1) return;
  const hasCanonical = inputs.definitions.some((definition) => definition.canonical);
  for (const definition of inputs.definitions) {
    if (!definition.countsAsImplementation) continue;
    const where = `line ${definition.line}: ${definition.kind} ${definition.qualifiedName}`;
    if (definition.canonical) add(definition.file, definition.role, 'P0', 'KEEP as the single source of truth', where);
    else if (hasCanonical || definition.inDeprecatedModule) add(definition.file, definition.role, 'P0', 'REMOVE (merge into the canonical implementation)', `${where}, reached by ${definition.reachedByFiles} files`);
    else add(definition.file, definition.role, 'P0', 'Choose one implementation', `${where}, reached by ${definition.reachedByFiles} files`);
  }
}
