/** Programmatic API: the same audit and fix the `ssot` command runs. */
export { audit, auditRun, type AuditOptions, type AuditRun } from './analysis/audit.js';
export type * from './analysis/audit-result.js';
export type { ConceptSpec, Limits } from './analysis/concept-spec.js';
export { runCli, ExitCode } from './cli/run-cli.js';
export { loadConfigFile, type ConfigFile, type ConceptEntry } from './config/config-file.js';
export { SsotError, SsotErrorCode } from './errors.js';
export { DEFAULT_EXCLUDES } from './files/walk.js';
export { fixImports, type FixOptions, type FixResult } from './fix/fix.js';
export { renderJson } from './report/json.js';
export { renderMarkdown } from './report/markdown.js';
