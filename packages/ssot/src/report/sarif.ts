import { pathToFileURL } from 'node:url';
import type { AuditReport } from '../analysis/audit-result.js';
import { RULES, type Finding, type RuleId } from './findings.js';

/** How each result compares with a baseline (SARIF `baselineState`), when one was given. */
export type BaselineState = 'new' | 'unchanged';

const FINGERPRINT_KEY = 'ssotFinding/v1';

/**
 * SARIF 2.1.0, as GitHub code scanning reads it: one run, a rule per finding kind, paths relative
 * to %SRCROOT% (the audited root), and a partial fingerprint per result so code scanning matches
 * a finding across runs even when its line moves.
 */
export function renderSarif(report: AuditReport, findings: readonly Finding[], states?: ReadonlyMap<string, BaselineState>): string {
  const ruleIds = Object.keys(RULES) as RuleId[];
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'ssot',
          version: report.version,
          rules: ruleIds.map((id) => ({
            id,
            name: ruleName(id),
            shortDescription: { text: RULES[id].summary },
            defaultConfiguration: { level: RULES[id].level },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(report.root).href}/` } },
      results: findings.map((finding) => ({
        ruleId: finding.ruleId,
        ruleIndex: ruleIds.indexOf(finding.ruleId),
        level: finding.level,
        message: { text: finding.concept === null ? finding.message : `[${finding.concept}] ${finding.message}` },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: encodeURI(finding.file), uriBaseId: '%SRCROOT%' },
            region: { startLine: Math.max(1, finding.line) },
          },
        }],
        partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
        ...(states === undefined ? {} : { baselineState: states.get(finding.fingerprint) ?? 'new' }),
      })),
    }],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** `ssot/non-canonical-import` → `NonCanonicalImport`. */
function ruleName(id: RuleId): string {
  return id.slice('ssot/'.length).split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

/**
 * GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, shown
 * as annotations on the pull request's diff.
 */
export function renderGithub(findings: readonly Finding[]): string {
  const command = { error: 'error', warning: 'warning', note: 'notice' } as const;
  return findings
    .map((finding) => {
      const title = finding.concept === null ? finding.ruleId : `${finding.ruleId} (${finding.concept})`;
      return `::${command[finding.level]} file=${property(finding.file)},line=${Math.max(1, finding.line)},title=${property(title)}::${data(finding.message)}\n`;
    })
    .join('');
}

/** Escaping as the runner's toolkit does it (`@actions/core` command.ts). */
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
