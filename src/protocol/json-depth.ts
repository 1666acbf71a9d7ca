/**
 * The nesting bound on JSON that arrives from outside, shared by WebSocket frames and HTTP
 * bodies: one function, one setting (`maxJsonDepth`, AGENTWIRE_MAX_JSON_DEPTH).
 */

/**
 * Deepest nesting of arrays and objects accepted by default. Client messages are flat and an
 * AG-UI RunAgentInput nests a handful of levels; the bound exists because V8's JSON.parse spends
 * ~2 µs per nesting level, so one 1 MiB body of `[[[[…` holds the event loop (every user's
 * events) for about a second and a few hundred MB of heap while it builds 524k arrays.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Whether `text` nests arrays or objects deeper than `max`. One linear pass over the text that
 * skips string contents (a `[` inside a string, or after a backslash in one, does not count),
 * decided before anything is parsed; malformed JSON is left for JSON.parse to refuse.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
