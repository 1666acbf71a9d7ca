/**
 * Hostile text and binary frames on an authenticated connection, generated with fast-check.
 * Each frame gets exactly the answer docs/protocol.md documents (checked against an oracle
 * written from the document, see support/answers.ts), the connection keeps working, prototypes
 * stay clean, and a bystander user connected throughout sees nothing but its own events.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { MAX_NESTING, answerTo, expectedAnswers, type Answer, type SpecContext } from './support/answers.js';
import { objectFrameArbitrary } from './support/arbitraries.js';
import { Bystander, expectCompleteRun } from './support/bystander.js';

const MAX_TEXT_CHARS = 2_000;
const RUNS = 300;
const objectFrame = objectFrameArbitrary(MAX_TEXT_CHARS);

let server: AgentwireServer;
let bystander: Bystander;
beforeAll(async () => {
  server = await startTestServer({
    // The rate limits (messages and bytes) are tested by flood.test.ts and protocol-errors; here every frame must reach the parser.
    transport: { messagesPerSecond: 1_000_000, messageBurst: 1_000_000, inboundBytesPerSecond: 1_000_000_000, maxTextChars: MAX_TEXT_CHARS, connectionsPerSecondPerIp: 10_000 },
  });
  bystander = await Bystander.start(server, 'hostile-bystander');
});
afterAll(async () => {
  await bystander.stop();
  await server.close();
});

const prototypeNames = (): string[][] => [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort());
const cleanPrototypes = prototypeNames();

/** An attacker connection, and the oracle's view of it. */
async function attacker(name: string): Promise<{ client: TestClient; spec: SpecContext }> {
  const client = await TestClient.open(server.wsUrl, await signToken(name));
  const spec: SpecContext = { maxTextChars: MAX_TEXT_CHARS, epoch: client.established.epoch, cursor: client.established.lastSeq, agents: new Set(['assistant', 'stream']) };
  return { client, spec };
}

/** After the attack: no prototype polluted, and a real run on the same connection completes gapless. */
async function expectStillWorks(client: TestClient): Promise<void> {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(prototypeNames()).toEqual(cleanPrototypes);
  const head = client.established.lastSeq;
  const { runId } = await client.submit(streamInput(5), { agent: 'stream' });
  await client.terminalOf(runId);
  expectCompleteRun(client.runEvents(runId), 5);
  expect(seqs(client.events())).toEqual(range(head + 1, head + 7));
  await client.close();
}

describe('hostile text frames get their documented answer, and the connection keeps working', () => {
  it('bytes that are not JSON: INVALID_MESSAGE', async () => {
    const { client } = await attacker('hostile-notjson');
    const notJson = fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        objectFrame.map((text) => text.slice(0, -1)),
        fc.json().chain((text) => fc.nat(text.length).map((cut) => `${text.slice(0, cut)}\u0000${text.slice(cut)}`)),
      )
      .filter((text) => !parses(text));
    await fc.assert(fc.asyncProperty(notJson, (text) => answerTo(client, text, [{ type: 'error', code: 'INVALID_MESSAGE' }])), { numRuns: RUNS });
    await expectStillWorks(client);
    await bystander.completesMore();
  });

  it('JSON that is not an object: INVALID_MESSAGE', async () => {
    const { client } = await attacker('hostile-nonobject');
    const nonObject = fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v));
    await fc.assert(fc.asyncProperty(nonObject, (value) => answerTo(client, JSON.stringify(value), [{ type: 'error', code: 'INVALID_MESSAGE' }])), { numRuns: RUNS });
    await expectStillWorks(client);
    await bystander.completesMore();
  });

  it('objects of any shape: wrong types, huge numbers and strings, unknown types, __proto__/constructor keys', async () => {
    const { client, spec } = await attacker('hostile-objects');
    const frames = objectFrame.filter((text) => expectedAnswers(text, spec) !== 'starts-a-run');
    await fc.assert(
      fc.asyncProperty(frames, async (text) => {
        const expected = expectedAnswers(text, spec);
        if (expected === 'starts-a-run') throw new Error('filtered out above');
        await answerTo(client, text, expected);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS * 2 },
    );
    await expectStillWorks(client);
    await bystander.completesMore();
  });

  it('prototype pollution payloads are inert: nothing inherited, nothing polluted, sensible answers', async () => {
    const { client, spec } = await attacker('hostile-proto');
    const cases: [string, Answer[]][] = [
      ['{"type":"ping","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}', [{ type: 'pong' }]],
      // An own "__proto__" key is data, not the prototype: the frame has no type.
      ['{"__proto__":{"type":"ping"}}', [{ type: 'error', code: 'INVALID_MESSAGE' }]],
      ['{"__proto__":{"type":"user_message","text":"hi","clientMessageId":"p1"}}', [{ type: 'error', code: 'INVALID_MESSAGE' }]],
      // Fields are not inherited through an own __proto__ either: no text, so INVALID_MESSAGE.
      ['{"type":"user_message","clientMessageId":"p2","__proto__":{"text":"hi","agent":"stream"}}', [{ type: 'error', code: 'INVALID_MESSAGE', clientMessageId: 'p2' }]],
      ['{"type":"__proto__","clientMessageId":"p3"}', [{ type: 'error', code: 'UNKNOWN_TYPE', clientMessageId: 'p3' }]],
      ['{"type":"constructor"}', [{ type: 'error', code: 'UNKNOWN_TYPE' }]],
      ['{"type":"hasOwnProperty"}', [{ type: 'error', code: 'UNKNOWN_TYPE' }]],
      // Names that exist on Object.prototype are not agents, threads or runs.
      ['{"type":"user_message","text":"hi","clientMessageId":"p4","agent":"constructor"}', [{ type: 'error', code: 'UNKNOWN_AGENT', clientMessageId: 'p4' }]],
      ['{"type":"user_message","text":"hi","clientMessageId":"p5","agent":"__proto__"}', [{ type: 'error', code: 'UNKNOWN_AGENT', clientMessageId: 'p5' }]],
      ['{"type":"user_message","text":"hi","clientMessageId":"__proto__","threadId":"__proto__"}', [{ type: 'error', code: 'NOT_FOUND', clientMessageId: '__proto__' }]],
      ['{"type":"user_message","text":"hi","clientMessageId":"p6","threadId":"constructor"}', [{ type: 'error', code: 'NOT_FOUND', clientMessageId: 'p6' }]],
      ['{"type":"cancel","runId":"__proto__"}', [{ type: 'error', code: 'NOT_FOUND', runId: '__proto__' }]],
      ['{"type":"cancel","runId":"constructor"}', [{ type: 'error', code: 'NOT_FOUND', runId: 'constructor' }]],
      ['{"type":"cancel","runId":"toString"}', [{ type: 'error', code: 'NOT_FOUND', runId: 'toString' }]],
      [`{"type":"resume","lastSeq":0,"epoch":"__proto__"}`, [{ type: 'resumed', recovered: false }]],
      [`{"type":"resume","lastSeq":0,"epoch":${JSON.stringify(spec.epoch)},"__proto__":{"lastSeq":5}}`, [{ type: 'resumed', recovered: true }]],
    ];
    for (const [text, expected] of cases) {
      // The oracle agrees with the hand-written expectation, and the server with both.
      expect(expectedAnswers(text, spec)).toEqual(expected);
      await answerTo(client, text, expected);
    }
    // The same keys as user ids and clientMessageIds of real runs do not collide with anything.
    const { runId } = await client.submit(streamInput(1), { agent: 'stream', clientMessageId: 'constructor' });
    await client.terminalOf(runId);
    const again = await client.submit(streamInput(1), { agent: 'stream', clientMessageId: 'constructor' });
    expect(again.runId).toBe(runId);
    const protoUser = await TestClient.open(server.wsUrl, await signToken('__proto__'));
    expect(protoUser.established.userId).toBe('__proto__');
    const own = await protoUser.submit(streamInput(2), { agent: 'stream', clientMessageId: 'constructor' });
    expect(own.runId).not.toBe(runId);
    await protoUser.terminalOf(own.runId);
    expect(protoUser.events().every((e) => e.userId === '__proto__' && e.runId === own.runId)).toBe(true);
    await protoUser.close();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypeNames()).toEqual(cleanPrototypes);
    await client.close();
    await bystander.completesMore();
  });

  it('binary frames, whatever they hold: INVALID_MESSAGE', async () => {
    const { client } = await attacker('hostile-binary');
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom('{"type":"ping"}', '{"type":"user_message","text":"hi","clientMessageId":"b1","agent":"stream"}').map((text) => Buffer.from(text)),
    );
    await fc.assert(fc.asyncProperty(payload, (bytes) => answerTo(client, bytes, [{ type: 'error', code: 'INVALID_MESSAGE' }])), { numRuns: RUNS });
    expect(client.events()).toEqual([]);
    await expectStillWorks(client);
    await bystander.completesMore();
  });
});

describe('deep nesting', () => {
  const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
  const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it('is refused with INVALID_MESSAGE, without crashing, up to the frame limit', async () => {
    const { client } = await attacker('hostile-deep');
    const refused = [
      deepArray(100_000),
      deepArray(500_000),
      deepObject(100_000),
      deepObject(170_000),
      '['.repeat(1_000_000),
      `{"type":"ping","x":${deepArray(200_000)}}`,
      `{"type":"ack","seq":${deepArray(200_000)}}`,
      // Refused before it is parsed, so there is no clientMessageId to echo.
      `{"type":"user_message","text":"hi","clientMessageId":"deep","agent":"stream","x":${deepObject(100_000)}}`,
    ];
    for (const text of refused) {
      expect(text.length).toBeLessThan(1024 * 1024);
      await answerTo(client, text, [{ type: 'error', code: 'INVALID_MESSAGE' }]);
    }
    // Brackets inside strings are text, not nesting.
    await answerTo(client, JSON.stringify({ type: 'ping', s: '[{'.repeat(250_000) }), [{ type: 'pong' }]);
    await answerTo(client, JSON.stringify({ type: 'ping', s: '\\"[[[[' }), [{ type: 'pong' }]);
    // The limit is a nesting depth, not a size: just inside it is an ordinary frame.
    expect(MAX_NESTING_DEPTH).toBe(MAX_NESTING);
    const inside = `{"type":"ping","x":${deepArray(MAX_NESTING - 1)}}`;
    await answerTo(client, inside, [{ type: 'pong' }]);
    await answerTo(client, `{"type":"ping","x":${deepArray(MAX_NESTING)}}`, [{ type: 'error', code: 'INVALID_MESSAGE' }]);
    await expectStillWorks(client);
    await bystander.completesMore();
  });

  it('costs the server little: a burst of 1 MB nesting bombs does not stall other users', async () => {
    const { client } = await attacker('hostile-deep-burst');
    const bomb = deepArray(500_000);
    const started = Date.now();
    const mark = client.frames.length;
    for (let i = 0; i < 20; i++) client.send(bomb);
    await client.waitUntil(() => client.frames.length - mark >= 20, 30_000);
    const elapsed = Date.now() - started;
    expect(client.frames.slice(mark).every((f) => f.type === 'error' && f.code === 'INVALID_MESSAGE')).toBe(true);
    const during = bystander.latency(started, Date.now());
    // 20 MB of nesting: parsing it would hold the event loop for seconds (V8's JSON.parse
    // spends ~2 µs per level); refused unparsed it is a linear scan.
    // Before the nesting limit this took ~10 s here (the loop was held ~0.5 s per frame) and the
    // bystander's events waited as long; the bounds leave room for a loaded 2-core machine.
    expect(elapsed).toBeLessThan(5_000);
    expect(during.count).toBeGreaterThan(0);
    expect(during.max).toBeLessThan(2_500);
    await expectStillWorks(client);
    await bystander.completesMore();
  });
});

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
