import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The committed `ssot` bin, run from the TypeScript sources (no build needed). */
export const BIN = fileURLToPath(new URL('../../bin/ssot.js', import.meta.url));

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ssot args…` as a user would, from the sources through the bin's tsx fallback. */
export function ssotFromSource(args: readonly string[], cwd: string): BinResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, SSOT_FROM_SOURCE: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
