/**
 * Hostile client frames for fast-check, as JSON text fragments: literals JSON.stringify cannot
 * write (1e400) and keys it would drop or mangle (__proto__) reach the wire exactly as an
 * attacker writes them.
 */
import fc from 'fast-check';

const KNOWN_TYPES = ['user_message', 'resume', 'ack', 'cancel', 'ping'] as const;

const hostileKey = fc.oneof(
  fc.constantFrom('type', 'clientMessageId', 'text', 'threadId', 'agent', 'lastSeq', 'epoch', 'seq', 'runId'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'),
  fc.string({ maxLength: 12 }),
);

const numberLiteral = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '1E999999', '1e-400', '123456789012345678901234567890', '9007199254740991', '9007199254740992', '-0', '0.0', '1.0', '2e0', '-1', '0.5', '0'),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);

/** An object frame: maybe a type first, then hostile keys (duplicates and all) with hostile values. */
export function objectFrameArbitrary(maxTextChars: number): fc.Arbitrary<string> {
  // Strings around every length limit: ids (128), agent names (64), the text limit.
  const stringLiteral = fc.oneof(
    fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
    fc.constantFrom(0, 1, 63, 64, 65, 127, 128, 129, maxTextChars - 1, maxTextChars, maxTextChars + 1, 50_000).map((n) => JSON.stringify('x'.repeat(n))),
    fc.constantFrom(...KNOWN_TYPES, 'assistant', 'stream', '__proto__', 'constructor', 'toString', 'thr_AAAAAAAAAAAAAAAAAAAAAA', 'run_AAAAAAAAAAAAAAAAAAAAAA').map((s) => JSON.stringify(s)),
  );
  const valueLiteral: fc.Arbitrary<string> = fc.oneof(
    { arbitrary: stringLiteral, weight: 4 },
    { arbitrary: numberLiteral, weight: 3 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 2 },
    { arbitrary: fc.constantFrom('{"polluted":true}', '{"prototype":{"polluted":true}}', '{"__proto__":{"polluted":true}}', 'null', 'true', '[]', '{}'), weight: 1 },
  );
  const typeLiteral = fc.oneof(
    { arbitrary: fc.constantFrom(...KNOWN_TYPES).map((t) => JSON.stringify(t)), weight: 6 },
    { arbitrary: valueLiteral, weight: 2 },
  );
  return fc
    .tuple(fc.option(typeLiteral, { nil: undefined }), fc.array(fc.tuple(hostileKey, valueLiteral), { maxLength: 8 }))
    .map(([type, entries]) => {
      const members = entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`);
      if (type !== undefined) members.unshift(`"type":${type}`);
      return `{${members.join(',')}}`;
    });
}
