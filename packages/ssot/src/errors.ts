/**
 * Every failure ssot reports on purpose carries a stable code, so scripts and CI can tell a
 * usage mistake from a broken tree without parsing messages. Codes are never reused.
 */
export const SsotErrorCode = {
  /** Bad command-line arguments. */
  USAGE: 'SSOT_USAGE',
  /** The config file is missing, unreadable or does not match the schema. */
  CONFIG_INVALID: 'SSOT_CONFIG_INVALID',
  /** The directory to audit does not exist or is not a directory. */
  ROOT_NOT_FOUND: 'SSOT_ROOT_NOT_FOUND',
  /** `ssot fix` was asked for a canonical module that resolves to nothing. */
  CANONICAL_UNRESOLVED: 'SSOT_CANONICAL_UNRESOLVED',
  /** Writing a report or a fixed file failed. */
  WRITE_FAILED: 'SSOT_WRITE_FAILED',
  /** `fix --write` refused: rewritten files use members or constructor arguments the canonical definition lacks. */
  INCOMPATIBLE: 'SSOT_INCOMPATIBLE',
  /** `--baseline FILE` exists but is not an ssot baseline. */
  BASELINE_INVALID: 'SSOT_BASELINE_INVALID',
  /** `--changed-since REV`: git could not list the changes (not a repository, unknown revision). */
  GIT_FAILED: 'SSOT_GIT_FAILED',
} as const;

export type SsotErrorCode = (typeof SsotErrorCode)[keyof typeof SsotErrorCode];

export class SsotError extends Error {
  readonly code: SsotErrorCode;

  constructor(code: SsotErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsotError';
    this.code = code;
  }
}

const CODES: ReadonlySet<string> = new Set(Object.values(SsotErrorCode));

/**
 * By shape, not `instanceof`: run from source (the bin's tsx fallback), the modules loaded with
 * require() and those loaded with import are two copies, each with its own SsotError class.
 */
export function isSsotError(error: unknown): error is SsotError {
  return error instanceof Error && error.name === 'SsotError' && CODES.has(String((error as { code?: unknown }).code));
}

/** Usage and config problems are the caller's to fix: the CLI maps them to exit code 2. */
export function isUsageError(error: unknown): error is SsotError {
  return isSsotError(error) && error.code !== SsotErrorCode.WRITE_FAILED;
}
