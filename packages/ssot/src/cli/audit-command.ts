import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { auditRun } from '../analysis/audit.js';
import type { AuditReport } from '../analysis/audit-result.js';
import { changedScope } from '../analysis/changed-files.js';
import { planAudit } from '../config/run-plan.js';
import { SsotError, SsotErrorCode } from '../errors.js';
import { compareWithBaseline, readBaseline, updatedBaseline, writeBaseline, type BaselineComparison } from '../report/baseline.js';
import { filterReport } from '../report/filter-report.js';
import { findingsOf, type Finding } from '../report/findings.js';
import { renderJson } from '../report/json.js';
import { renderGithub, renderSarif, type BaselineState } from '../report/sarif.js';
import { mark } from '../timing.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { progressBar } from './progress.js';

/** The Markdown renderer loads only for Markdown output (synchronously: see runCli). */
const load = createRequire(import.meta.url);

/**
 * Exit code 1 when any concept exceeds a configured limit — or, with --baseline, when any
 * finding is not in the baseline (limits are then reported, not enforced: the baseline is the
 * ratchet).
 */
export async function auditCommand(args: CliArgs, io: CliIo): Promise<number> {
  mark('audit modules loaded');
  if (args.updateBaseline && args.baseline === undefined) throw new SsotError(SsotErrorCode.USAGE, '--update-baseline needs --baseline FILE');
  if (args.updateBaseline && args.changedSince !== undefined) throw new SsotError(SsotErrorCode.USAGE, '--update-baseline cannot be combined with --changed-since (it would drop every finding outside the change)');
  const options = planAudit(args, io.cwd);
  const progress = progressBar(io.stderr, args.progress);
  const run = await auditRun({ ...options, onProgress: progress.update });
  progress.finish();
  let report = run.report;
  let findings = findingsOf(report);
  if (args.changedSince !== undefined) {
    const scope = changedScope(run.project, args.changedSince);
    report = filterReport(report, scope);
    findings = findings.filter((finding) => scope.has(finding.file));
  }
  const comparison = args.baseline === undefined ? null : baselineStep(args, io, findings);
  write(args, io, render(args, report, findings, comparison));
  mark('report rendered');
  for (const concept of report.concepts.filter((audit) => audit.status === 'fail')) {
    const breaches = concept.breaches.map((breach) => `${breach.metric} ${breach.actual} > ${breach.limit}`).join(', ');
    io.stderr.write(`ssot: ${concept.concept}: limit exceeded: ${breaches}\n`);
  }
  if (comparison !== null) return comparison.added.length > 0 ? 1 : 0;
  return report.concepts.some((concept) => concept.status === 'fail') ? 1 : 0;
}

function baselineStep(args: CliArgs, io: CliIo, findings: readonly Finding[]): BaselineComparison {
  const path = resolve(io.cwd, args.baseline ?? '');
  const previous = readBaseline(path);
  if (previous === null && !args.updateBaseline) throw new SsotError(SsotErrorCode.BASELINE_INVALID, `baseline ${path} does not exist (--update-baseline creates it)`);
  if (args.updateBaseline) {
    const next = updatedBaseline(findings, previous);
    writeBaseline(path, next);
    io.stderr.write(`ssot: baseline ${path}: ${next.findings.length} findings (was ${previous === null ? 'absent' : previous.findings.length})\n`);
  }
  const comparison = compareWithBaseline(findings, previous ?? updatedBaseline(findings, null));
  io.stderr.write(`ssot: baseline: ${comparison.added.length} new, ${comparison.fixed.length} fixed, ${comparison.unchanged.length} unchanged\n`);
  for (const finding of comparison.added) io.stderr.write(`  new: ${finding.file}:${finding.line}: ${finding.ruleId}: ${finding.message}\n`);
  for (const entry of comparison.fixed) io.stderr.write(`  fixed: ${entry.file}: ${entry.ruleId}: ${entry.message}\n`);
  return comparison;
}

function render(args: CliArgs, report: AuditReport, findings: readonly Finding[], comparison: BaselineComparison | null): string {
  switch (args.format) {
    case 'json':
      return renderJson(report);
    case 'sarif': {
      const states = comparison === null ? undefined : new Map<string, BaselineState>(comparison.unchanged.map((finding) => [finding.fingerprint, 'unchanged']));
      return renderSarif(report, findings, states);
    }
    case 'github':
      // Only what is new against the baseline deserves an annotation on the pull request.
      return renderGithub(comparison === null ? findings : comparison.added);
    case 'md':
      return (load('../report/markdown.js') as typeof import('../report/markdown.js')).renderMarkdown(report);
  }
}

function write(args: CliArgs, io: CliIo, text: string): void {
  if (args.out === undefined) {
    io.stdout.write(text);
    return;
  }
  const path = resolve(io.cwd, args.out);
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new SsotError(SsotErrorCode.WRITE_FAILED, `cannot write ${path}`, { cause: error });
  }
  io.stderr.write(`ssot: report written to ${path}\n`);
}
