import type { ConceptAudit, ImportPath, UnresolvedImport } from '../analysis/audit-result.js';
import { code, details, percent, plural, table } from './markdown-table.js';

const LIST_LIMIT = 25;

export function severityTable(audit: ConceptAudit): string {
  const m = audit.metrics;
  const production = audit.constructions.filter((c) => c.factory === null && c.role === 'production').length;
  const deprecatedFiles = new Set(audit.deprecatedReferences.map((r) => r.file)).size;
  const rows = [
    ['CRITICAL', 'Multiple implementations', String(m.implementations), m.implementations > 1 ? `${m.implementations} definitions compete` : 'one implementation'],
    ['HIGH', 'Import paths', String(m.importPaths), `${plural(m.filesReaching, 'file')} reach it through ${plural(m.importPaths, 'path')}`],
    ['HIGH', 'Constructions outside a factory', String(m.constructionsOutsideFactory), `${production} production, ${m.constructionsOutsideFactory - production} test`],
    ['HIGH', 'Imports that resolve to no module', String(m.unresolvedImports), 'break at run time'],
    ['MEDIUM', 'Deprecated modules still imported', String(m.deprecatedReferences), plural(deprecatedFiles, 'file')],
    ['LOW', 'Likely near-duplicates', String(m.nearDuplicates), `${audit.nearDuplicates.length} candidates`],
  ];
  return table(['Severity', 'Violation', 'Count', 'Detail'], rows);
}

export function implementationsSection(audit: ConceptAudit): string {
  const lines = [`### 1. Multiple implementations (CRITICAL): ${audit.metrics.implementations}`, ''];
  const counted = audit.definitions.filter((d) => d.countsAsImplementation);
  if (counted.length === 0) lines.push(`No implementation of ${code(audit.concept)} found in the tree.`);
  const hasCanonical = counted.some((d) => d.canonical);
  for (const d of counted) {
    const label = d.canonical ? '**Primary** (canonical)' : d.inDeprecatedModule ? '**Secondary** (deprecated module)' : '**Definition**';
    const competing = hasCanonical ? ' — REMOVE or merge' : ' — choose one to keep';
    const action = audit.metrics.implementations <= 1 ? '' : d.canonical ? ' — KEEP' : competing;
    lines.push(`- ${label}: ${code(`${d.file}:${d.line}`)} ${d.kind} ${code(d.qualifiedName)}, reached by ${plural(d.reachedByFiles, 'file')} (${d.role})${action}`);
  }
  const listed = audit.definitions.filter((d) => !d.countsAsImplementation);
  if (listed.length > 0) {
    lines.push('', `Not counted (declarations and renames): ${listed.map((d) => code(`${d.file}:${d.line}`)).join(', ')}`);
  }
  if (audit.nearDuplicates.length > 0) {
    const rows = audit.nearDuplicates.slice(0, LIST_LIMIT).map((n) => [
      code(n.qualifiedName), code(`${n.file}:${n.line}`), n.kind, n.reasons.join('; '), n.likely ? 'likely' : 'possible',
    ]);
    lines.push('', '**Near-duplicates**', '', table(['Definition', 'Where', 'Kind', 'Why', 'Verdict'], rows));
    if (audit.nearDuplicates.length > LIST_LIMIT) lines.push('', `… and ${audit.nearDuplicates.length - LIST_LIMIT} more in the JSON report.`);
  }
  return lines.join('\n');
}

export function importPathsSection(audit: ConceptAudit): string {
  const lines = [`### 2. Import paths (HIGH): ${audit.metrics.importPaths}`, ''];
  if (audit.importPaths.length === 0) {
    lines.push('No file imports the concept.');
    return lines.join('\n');
  }
  const suggested = audit.canonical?.suggested === true ? audit.canonical.module : null;
  const rows = audit.importPaths.map((path) => [
    code(path.path), String(path.files), String(path.productionFiles), String(path.testFiles),
    path.definitions.length > 0 ? path.definitions.map(code).join(', ') : (path.target ?? path.resolution),
    path.path === suggested ? 'most used (suggested canonical)' : pathStatus(path),
  ]);
  lines.push(table(['Import path', 'Files', 'Production', 'Test', 'Resolves to', 'Status'], rows));
  for (const path of audit.importPaths) {
    const via = path.via.length > 0 ? ` via ${path.via.map(code).join(' → ')}` : '';
    const uses = path.uses.map((use) => `- ${code(`${use.file}:${use.line}`)} ${code(use.specifier)} as ${code(use.local)} (${use.role})`);
    lines.push('', details(`${code(path.path)}: ${plural(path.files, 'file')}${via}`, uses.join('\n')));
  }
  if (audit.reExports.length > 0) {
    const barrels = audit.reExports.map((use) => `- ${code(`${use.file}:${use.line}`)} re-exports from ${code(use.specifier)}`);
    lines.push('', `**Re-exports (barrels)** — not counted as paths; they are how paths reach the definitions:`, '', ...barrels);
  }
  return lines.join('\n');
}

function pathStatus(path: ImportPath): string {
  if (path.resolution === 'unresolved') return 'UNRESOLVED';
  if (path.canonical) return 'canonical';
  if (path.deprecated) return 'deprecated';
  return path.resolution === 'resolved' ? 'legacy' : path.resolution;
}

export function constructionsSection(audit: ConceptAudit): string {
  const m = audit.metrics;
  const lines = [`### 3. Factory pattern violations (HIGH): ${m.constructionsOutsideFactory}`, ''];
  const factories = audit.factories.length === 0 ? 'none configured' : audit.factories.map(code).join(', ');
  lines.push(`Allowed factories: ${factories}. Constructions: ${m.constructions}, via a factory: ${m.constructionsViaFactory} (${percent(m.factoryShare)}).`);
  const outside = audit.constructions.filter((c) => c.factory === null);
  if (outside.length > 0) {
    const rows = outside.map((c) => [code(`${c.file}:${c.line}`), code(c.snippet), code(c.enclosing), c.role]);
    lines.push('', table(['Where', 'Construction', 'Inside', 'Role'], rows));
  }
  return lines.join('\n');
}

export function unresolvedSection(title: string, items: readonly UnresolvedImport[]): string {
  const lines = [title, ''];
  if (items.length === 0) {
    lines.push('None.');
    return lines.join('\n');
  }
  const rows = items.map((u) => [code(`${u.file}:${u.line}`), code(u.specifier), u.reason, u.breaksAtRunTime ? 'yes' : 'no (type-only)', u.role]);
  lines.push(table(['Where', 'Import', 'Why', 'Breaks at run time', 'Role'], rows));
  return lines.join('\n');
}

export function deprecatedSection(audit: ConceptAudit): string {
  const lines = [`### 5. Deprecated code active (MEDIUM): ${audit.metrics.deprecatedReferences}`, ''];
  if (audit.deprecated.length === 0) lines.push('No deprecated modules configured.');
  else if (audit.deprecatedReferences.length === 0) lines.push(`Nothing imports ${audit.deprecated.map(code).join(', ')}.`);
  else {
    const rows = audit.deprecatedReferences.map((r) => [code(`${r.file}:${r.line}`), code(r.specifier), r.names.map(code).join(', '), r.role]);
    lines.push(table(['Where', 'Import', 'Names', 'Role'], rows));
  }
  return lines.join('\n');
}

export function attentionSection(audit: ConceptAudit): string {
  const lines = ['## Files requiring immediate attention'];
  const titles = { P0: 'Critical priority (P0)', P1: 'High priority (P1)', P2: 'Tests (P2)' } as const;
  for (const priority of ['P0', 'P1', 'P2'] as const) {
    const items = audit.attention.filter((item) => item.priority === priority);
    if (items.length === 0) continue;
    lines.push('', `### ${titles[priority]}`);
    for (const item of items.slice(0, LIST_LIMIT * 2)) lines.push(`- ${code(item.file)} — **${item.action}** (${item.reasons.join('; ')})`);
    if (items.length > LIST_LIMIT * 2) lines.push(`- … and ${items.length - LIST_LIMIT * 2} more files in the JSON report`);
  }
  if (audit.attention.length === 0) lines.push('', 'Nothing: the concept has one implementation, one path and factory-only construction.');
  return lines.join('\n');
}

function factoryTarget(limit: number | undefined): string {
  if (limit === undefined || limit === 0) return '100%';
  return `≤ ${limit} outside a factory`;
}

export function metricsSection(audit: ConceptAudit): string {
  const m = audit.metrics;
  const limit = (key: keyof typeof audit.limits, ideal: string): string => {
    const value = audit.limits[key];
    return value === undefined ? ideal : `≤ ${value}`;
  };
  const rows = [
    ['Import paths', `${m.importPaths} (${plural(m.filesReaching, 'file')}; ${m.importPathsProduction} in production)`, limit('importPaths', '1 canonical path')],
    ['Implementations', String(m.implementations), limit('implementations', '1')],
    ['Factory share', `${percent(m.factoryShare)} (${m.constructionsViaFactory} of ${m.constructions} constructions)`, factoryTarget(audit.limits.constructionsOutsideFactory)],
    ['Deprecated references', String(m.deprecatedReferences), limit('deprecatedReferences', '0')],
    ['Imports that break at run time', String(m.unresolvedImports), limit('unresolvedImports', '0')],
    ['Likely near-duplicates', String(m.nearDuplicates), '0'],
  ];
  return ['## Success metrics', '', table(['Metric', 'Current', 'Target'], rows)].join('\n');
}

export function apiDriftSection(audit: ConceptAudit): string {
  const lines = [`### API drift between implementations: ${audit.apiDrift.length}`, ''];
  if (audit.apiDrift.length === 0) lines.push('The class implementations offer the same members and constructor (or there is only one).');
  for (const drift of audit.apiDrift) {
    const list = (members: readonly string[]): string => (members.length === 0 ? 'none' : members.slice(0, LIST_LIMIT).map(code).join(', ') + (members.length > LIST_LIMIT ? ` … (${members.length})` : ''));
    lines.push(`- ${code(drift.other)} against ${code(drift.reference)}:`);
    lines.push(`  - only in ${code(drift.reference)} (${drift.onlyInReference.length}): ${list(drift.onlyInReference)}`);
    lines.push(`  - only in ${code(drift.other)} (${drift.onlyInOther.length}): ${list(drift.onlyInOther)}`);
    if (drift.signatureDiffers) lines.push(`  - constructor: ${code(drift.referenceSignature ?? '?')} against ${code(drift.otherSignature ?? '?')}`);
  }
  if (audit.migrationMismatches.length > 0) {
    const rows = audit.migrationMismatches.slice(0, LIST_LIMIT).map((m) => [code(`${m.file}:${m.line}`), m.role, m.kind, m.detail]);
    lines.push('', `**Callers a move to the canonical definition would break: ${audit.migrationMismatches.length}** (\`ssot fix --write\` refuses while these remain)`, '', table(['Where', 'Role', 'Kind', 'Mismatch'], rows));
    if (audit.migrationMismatches.length > LIST_LIMIT) lines.push('', `… and ${audit.migrationMismatches.length - LIST_LIMIT} more in the JSON report.`);
  }
  return lines.join('\n');
}

export function stringReferencesSection(audit: ConceptAudit): string {
  const total = audit.stringReferences.reduce((sum, path) => sum + path.references.length, 0);
  const lines = [`### String references to its modules (resolved at run time): ${total}`, ''];
  if (total === 0) {
    lines.push('No `mock.patch`, `patch.object`, `importlib.import_module`, `jest.mock`, `vi.mock` or `require.resolve` names a module of the concept.');
    return lines.join('\n');
  }
  const rows = audit.stringReferences.map((path) => [
    code(path.path), code(path.target), String(path.files), String(path.productionFiles), String(path.testFiles),
    path.canonical ? 'canonical' : path.deprecated ? 'deprecated' : 'other',
  ]);
  lines.push(table(['Module', 'File', 'Files', 'Production', 'Test', 'Status'], rows), '');
  for (const path of audit.stringReferences.filter((p) => !p.canonical)) {
    const items = path.references.slice(0, LIST_LIMIT).map((r) => `${code(`${r.file}:${r.line}`)} ${r.kind} ${code(r.value)}`);
    lines.push(details(`${code(path.path)}: ${plural(path.references.length, 'reference')}`, items.map((item) => `- ${item}`).join('\n')));
  }
  return lines.join('\n');
}
