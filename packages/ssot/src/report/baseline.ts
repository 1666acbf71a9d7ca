import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SsotError, SsotErrorCode } from '../errors.js';
import type { Finding } from './findings.js';

/** One accepted finding; file, rule and message are for the reader, the fingerprint for matching. */
export interface BaselineEntry {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly file: string;
  readonly message: string;
}

export interface Baseline {
  readonly tool: 'ssot';
  readonly format: 1;
  readonly findings: readonly BaselineEntry[];
}

export interface BaselineComparison {
  /** Findings not in the baseline: these fail the run. */
  readonly added: readonly Finding[];
  /** Baseline entries no longer found: fixed, and dropped by --update-baseline. */
  readonly fixed: readonly BaselineEntry[];
  readonly unchanged: readonly Finding[];
}

/** Null when the file does not exist (a first run with --update-baseline creates it). */
export function readBaseline(path: string): Baseline | null {
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SsotError(SsotErrorCode.BASELINE_INVALID, `cannot read the baseline ${path}`, { cause: error });
  }
  const findings = (parsed as { findings?: unknown }).findings;
  if ((parsed as { tool?: unknown }).tool !== 'ssot' || !Array.isArray(findings) || !findings.every(isEntry)) {
    throw new SsotError(SsotErrorCode.BASELINE_INVALID, `${path} is not an ssot baseline (expected { "tool": "ssot", "format": 1, "findings": [...] })`);
  }
  return { tool: 'ssot', format: 1, findings };
}

function isEntry(value: unknown): value is BaselineEntry {
  return typeof value === 'object' && value !== null && typeof (value as { fingerprint?: unknown }).fingerprint === 'string';
}

export function compareWithBaseline(findings: readonly Finding[], baseline: Baseline): BaselineComparison {
  const accepted = new Set(baseline.findings.map((entry) => entry.fingerprint));
  const current = new Set(findings.map((finding) => finding.fingerprint));
  return {
    added: findings.filter((finding) => !accepted.has(finding.fingerprint)),
    unchanged: findings.filter((finding) => accepted.has(finding.fingerprint)),
    fixed: baseline.findings.filter((entry) => !current.has(entry.fingerprint)),
  };
}

/**
 * The ratchet: an existing baseline only shrinks (fixed entries go, new findings are not
 * added — they must be fixed, or the file deleted and written afresh on purpose); a missing one
 * is created from every current finding.
 */
export function updatedBaseline(findings: readonly Finding[], previous: Baseline | null): Baseline {
  const keep = previous === null ? findings : compareWithBaseline(findings, previous).unchanged;
  const entries = keep.map((finding) => ({ fingerprint: finding.fingerprint, ruleId: finding.ruleId, file: finding.file, message: finding.message }));
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.fingerprint < b.fingerprint ? -1 : 1));
  return { tool: 'ssot', format: 1, findings: entries };
}

export function writeBaseline(path: string, baseline: Baseline): void {
  try {
    writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
  } catch (error) {
    throw new SsotError(SsotErrorCode.WRITE_FAILED, `cannot write the baseline ${path}`, { cause: error });
  }
}
