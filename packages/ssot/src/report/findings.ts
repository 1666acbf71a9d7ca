import { createHash } from 'node:crypto';
import type { AuditReport, ConceptAudit } from '../analysis/audit-result.js';

/** Every kind of finding ssot reports one by one (SARIF rules, annotations, baseline entries). */
export const RULES = {
  'ssot/competing-implementation': { level: 'error', summary: 'A second implementation of a concept that should have one.' },
  'ssot/near-duplicate': { level: 'note', summary: 'A definition that is likely the concept under another name.' },
  'ssot/non-canonical-import': { level: 'warning', summary: 'The concept is imported through a path other than its canonical module.' },
  'ssot/unresolved-import': { level: 'error', summary: 'An import that resolves to no module.' },
  'ssot/construction-outside-factory': { level: 'warning', summary: 'The concept is constructed directly, outside its allowed factories.' },
  'ssot/deprecated-reference': { level: 'warning', summary: 'A deprecated module is still imported.' },
  'ssot/string-reference': { level: 'warning', summary: 'A string resolved at run time (mock.patch, jest.mock, …) names a non-canonical module of the concept.' },
  'ssot/api-drift': { level: 'note', summary: 'Competing implementations offer different members or constructors.' },
  'ssot/migration-mismatch': { level: 'warning', summary: 'A caller uses a member or constructor argument the canonical definition lacks.' },
} as const;

export type RuleId = keyof typeof RULES;
export type Level = (typeof RULES)[RuleId]['level'] | 'warning';

export interface Finding {
  readonly ruleId: RuleId;
  readonly level: Level;
  readonly concept: string | null;
  readonly file: string;
  readonly line: number;
  readonly message: string;
  /**
   * Stable across runs: the rule, the concept, the file and what the finding is about (the
   * specifier, the qualified name, the enclosing function and statement) — never the line, so
   * moving code or editing around it keeps the fingerprint; a counter tells identical ones apart.
   */
  readonly fingerprint: string;
}

interface Draft {
  readonly ruleId: RuleId;
  readonly level?: Level;
  readonly file: string;
  readonly line: number;
  readonly message: string;
  /** What the finding is about, without its position. */
  readonly identity: string;
}

export function findingsOf(report: AuditReport): Finding[] {
  const findings: Finding[] = [];
  const counters = new Map<string, number>();
  const add = (concept: string | null, draft: Draft): void => {
    const base = [draft.ruleId, concept ?? '', draft.file, draft.identity].join('\0');
    const occurrence = counters.get(base) ?? 0;
    counters.set(base, occurrence + 1);
    const fingerprint = createHash('sha256').update(`${base}\0${occurrence}`).digest('hex').slice(0, 32);
    findings.push({ ruleId: draft.ruleId, level: draft.level ?? RULES[draft.ruleId].level, concept, file: draft.file, line: draft.line, message: draft.message, fingerprint });
  };
  for (const audit of report.concepts) for (const draft of conceptDrafts(audit)) add(audit.concept, draft);
  const inConcepts = new Set(report.concepts.flatMap((audit) => audit.unresolvedImports.map((u) => `${u.file}\0${u.line}\0${u.specifier}`)));
  for (const item of report.unresolvedImports) {
    if (inConcepts.has(`${item.file}\0${item.line}\0${item.specifier}`)) continue;
    add(null, unresolvedDraft(item));
  }
  return findings;
}

function unresolvedDraft(item: ConceptAudit['unresolvedImports'][number]): Draft {
  return {
    ruleId: 'ssot/unresolved-import', level: item.breaksAtRunTime ? 'error' : 'warning', file: item.file, line: item.line,
    message: `'${item.specifier}' resolves to no module: ${item.reason}`, identity: item.specifier,
  };
}

function conceptDrafts(audit: ConceptAudit): Draft[] {
  const name = audit.concept;
  const drafts: Draft[] = [];
  // Against a canonical ssot only suggested (the most-used path), flagging every other import would be noise.
  const canonical = audit.canonical?.suggested === false ? audit.canonical : null;
  if (audit.metrics.implementations > 1) {
    for (const d of audit.definitions.filter((def) => def.countsAsImplementation && !def.canonical)) {
      drafts.push({ ruleId: 'ssot/competing-implementation', file: d.file, line: d.line, message: `${d.kind} ${d.qualifiedName} is one of ${audit.metrics.implementations} implementations of ${name}`, identity: d.qualifiedName });
    }
  }
  for (const n of audit.nearDuplicates.filter((dup) => dup.likely)) {
    drafts.push({ ruleId: 'ssot/near-duplicate', file: n.file, line: n.line, message: `${n.qualifiedName} may be ${name} under another name: ${n.reasons.join('; ')}`, identity: n.qualifiedName });
  }
  if (canonical !== null) {
    for (const path of audit.importPaths.filter((p) => !p.canonical)) {
      for (const use of path.uses) {
        drafts.push({ ruleId: 'ssot/non-canonical-import', file: use.file, line: use.line, message: `${name} is imported from '${use.specifier}'; the canonical module is '${canonical.module}'`, identity: `${use.specifier}\0${use.local}` });
      }
    }
  }
  for (const item of audit.unresolvedImports) drafts.push(unresolvedDraft(item));
  if (audit.factories.length > 0) {
    for (const c of audit.constructions.filter((con) => con.factory === null)) {
      drafts.push({ ruleId: 'ssot/construction-outside-factory', file: c.file, line: c.line, message: `${c.callee} constructed in ${c.enclosing}, outside ${audit.factories.join(', ')}`, identity: `${c.enclosing}\0${c.snippet}` });
    }
  }
  for (const r of audit.deprecatedReferences) {
    drafts.push({ ruleId: 'ssot/deprecated-reference', file: r.file, line: r.line, message: `imports the deprecated module ${r.module} ('${r.specifier}')`, identity: r.specifier });
  }
  if (canonical !== null) {
    for (const path of audit.stringReferences.filter((p) => !p.canonical)) {
      for (const r of path.references) {
        drafts.push({ ruleId: 'ssot/string-reference', file: r.file, line: r.line, message: `${r.kind} names '${r.value}' in ${path.path}; the canonical module is '${canonical.module}'`, identity: `${r.kind}\0${r.value}` });
      }
    }
  }
  for (const drift of audit.apiDrift) {
    const [file = drift.other, line = '1'] = drift.other.split(':');
    const parts = [`only in ${drift.reference}: ${drift.onlyInReference.join(', ') || 'none'}`, `only here: ${drift.onlyInOther.join(', ') || 'none'}`];
    if (drift.signatureDiffers) parts.push(`constructor ${drift.otherSignature ?? '?'} against ${drift.referenceSignature ?? '?'}`);
    drafts.push({ ruleId: 'ssot/api-drift', file, line: Number(line), message: `${name} differs from ${drift.reference}: ${parts.join('; ')}`, identity: drift.reference.split(':')[0] ?? '' });
  }
  for (const m of audit.migrationMismatches) {
    drafts.push({ ruleId: 'ssot/migration-mismatch', file: m.file, line: m.line, message: m.detail, identity: `${m.kind}\0${m.subject}` });
  }
  return drafts;
}
