import type { AuditReport } from '../analysis/audit-result.js';

/** The JSON report is the audit result as is; its shape is documented in the README. */
export function renderJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
