import type { AuditReport, ConceptAudit } from '../analysis/audit-result.js';

/**
 * The report narrowed to findings in `files` (for `--changed-since`): every list keeps only the
 * entries located in those files; metrics and limits still describe the whole tree, since a
 * pull request is judged against the tree it lands in.
 */
export function filterReport(report: AuditReport, files: ReadonlySet<string>): AuditReport {
  const inScope = <T extends { readonly file: string }>(items: readonly T[]): T[] => items.filter((item) => files.has(item.file));
  return {
    ...report,
    concepts: report.concepts.map((audit): ConceptAudit => ({
      ...audit,
      definitions: inScope(audit.definitions),
      nearDuplicates: inScope(audit.nearDuplicates),
      importPaths: audit.importPaths.map((path) => ({ ...path, uses: inScope(path.uses) })).filter((path) => path.uses.length > 0),
      reExports: inScope(audit.reExports),
      unresolvedImports: inScope(audit.unresolvedImports),
      constructions: inScope(audit.constructions),
      deprecatedReferences: inScope(audit.deprecatedReferences),
      attention: inScope(audit.attention),
      apiDrift: audit.apiDrift.filter((drift) => files.has(drift.other.split(':')[0] ?? '') || files.has(drift.reference.split(':')[0] ?? '')),
      migrationMismatches: inScope(audit.migrationMismatches),
      stringReferences: audit.stringReferences.map((path) => ({ ...path, references: inScope(path.references) })).filter((path) => path.references.length > 0),
    })),
    unresolvedImports: inScope(report.unresolvedImports),
    parseErrors: inScope(report.parseErrors),
    notes: [...report.notes, `Narrowed to ${files.size} files changed since the given revision and the files whose imports reach them; metrics cover the whole tree.`],
  };
}
