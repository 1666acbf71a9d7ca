/**
 * Phase marks for profiling a run: with `SSOT_TIMING=1`, each mark prints the milliseconds since
 * the process started (and since the previous mark) on stderr. Off by default, and then free.
 */
const enabled = process.env['SSOT_TIMING'] === '1';
let previous = 0;

export function mark(phase: string): void {
  if (!enabled) return;
  const now = performance.now();
  process.stderr.write(`ssot timing: ${now.toFixed(1).padStart(8)} ms  +${(now - previous).toFixed(1).padStart(7)}  ${phase}\n`);
  previous = now;
}
