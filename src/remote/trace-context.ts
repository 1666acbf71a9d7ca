/**
 * W3C Trace Context for run requests: each run request carries a `traceparent`, so a worker's
 * tracer (OpenTelemetry, or the Python module's log lines) can join its spans to the run. The
 * trace id is fresh per run; agentwire does not yet record spans of its own (docs/remote-agents.md).
 */
export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  // An all-zero id is invalid per the spec; a random one of 8+ bytes is never that in practice, but make sure.
  if (buffer.every((b) => b === 0)) buffer[0] = 1;
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('');
}
