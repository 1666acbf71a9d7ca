import type { Metrics } from '../analysis/audit-result.js';
import type { CompatibilityReport } from '../compat/compatibility.js';
import { planAudit } from '../config/run-plan.js';
import { SsotErrorCode } from '../errors.js';
import { fixImports, type FixResult } from '../fix/fix.js';
import { table, percent } from '../report/markdown-table.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { progressBar } from './progress.js';

/** Exit code of a `--write` refused for compatibility mismatches (see ExitCode.FIX_REFUSED). */
const REFUSED = 4;

/** Prints the diff (dry run) or writes the files and prints before/after metrics. */
export async function fixCommand(args: CliArgs, io: CliIo): Promise<number> {
  const options = planAudit(args, io.cwd);
  const progress = progressBar(io.stderr, args.progress);
  const result = await fixImports({ ...options, write: args.write, allowIncompatible: args.allowIncompatible, onProgress: progress.update });
  progress.finish();
  if (!result.written && !result.refused) for (const change of result.changes) io.stdout.write(change.diff);
  io.stderr.write(summary(result));
  return result.refused ? REFUSED : 0;
}

function summary(result: FixResult): string {
  const count = result.changes.reduce((sum, change) => sum + change.imports, 0);
  const strings = result.changes.reduce((sum, change) => sum + change.strings, 0);
  const imports = strings === 0 ? `${count} imports` : `${count} imports and ${strings} string references`;
  const lines: string[] = [];
  if (result.changes.length === 0) lines.push(`ssot fix: every import of ${result.concept} already uses ${result.canonical}`);
  else if (result.written) lines.push(`ssot fix: rewrote ${imports} in ${result.changes.length} files to ${result.canonical}`);
  else if (result.refused) lines.push(`ssot fix: refused to rewrite ${imports} in ${result.changes.length} files to ${result.canonical}: ${result.compatibility.mismatches.length} incompatible uses (--allow-incompatible to write anyway) [${SsotErrorCode.INCOMPATIBLE}]`);
  else lines.push(`ssot fix: would rewrite ${imports} in ${result.changes.length} files to ${result.canonical} (dry run; --write to apply)`);
  for (const skipped of result.skipped) lines.push(`  left alone: ${skipped.file}${skipped.line > 0 ? `:${skipped.line}` : ''}: ${skipped.reason}`);
  lines.push(...compatibilityLines(result.compatibility));
  if (result.after !== null) lines.push('', metricsTable(result.before, result.after));
  return `${lines.join('\n')}\n`;
}

function compatibilityLines(report: CompatibilityReport): string[] {
  if (report.mismatches.length === 0 && report.notes.length === 0) return [];
  const canonical = report.canonicalClass === null ? '' : ` (${report.canonicalClass}, constructor ${report.canonicalSignature ?? 'inherited from outside the tree'})`;
  const lines = ['', `Compatibility with the canonical definition${canonical}: ${report.mismatches.length} mismatches`];
  for (const mismatch of report.mismatches) lines.push(`  ${mismatch.file}:${mismatch.line}: ${mismatch.kind}: ${mismatch.detail}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines;
}

function metricsTable(before: Metrics, after: Metrics): string {
  const row = (name: string, pick: (m: Metrics) => string): string[] => [name, pick(before), pick(after)];
  return table(['Metric', 'Before', 'After'], [
    row('Import paths', (m) => String(m.importPaths)),
    row('Files reaching the concept', (m) => String(m.filesReaching)),
    row('Implementations', (m) => String(m.implementations)),
    row('Factory share', (m) => percent(m.factoryShare)),
    row('Deprecated references', (m) => String(m.deprecatedReferences)),
    row('Imports that break at run time', (m) => String(m.unresolvedImports)),
  ]);
}
