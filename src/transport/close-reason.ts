/**
 * A WebSocket close reason must fit in 123 bytes of UTF-8 (RFC 6455 §5.5: a control frame
 * carries at most 125 bytes, two of them the code); `ws` throws on a longer one, which would
 * turn a clear refusal into an internal error.
 */
const MAX_CLOSE_REASON_BYTES = 123;

/** The reason, cut at a character boundary so that it fits. */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  let bytes = 0;
  for (const char of reason) {
    const size = Buffer.byteLength(char);
    if (bytes + size > MAX_CLOSE_REASON_BYTES - 3) break;
    out += char;
    bytes += size;
  }
  return `${out}...`;
}
