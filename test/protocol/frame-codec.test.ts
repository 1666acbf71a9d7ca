/**
 * The frame codec owns the envelope's byte layout: every valid event round-trips, and a frame in
 * another shape (keys reordered, fields added) routes by its own top-level fields or is refused —
 * never by a look-alike inside `data`.
 */
import fc from 'fast-check';
import {
  AGENT_EVENT_TYPES,
  decodeFrame,
  encodeFrame,
  encodeFrameParts,
  eventIdMark,
  FrameFormatError,
  joinFrame,
  readFrameRouting,
  type FrameDraft,
} from 'agentwire/protocol';
import { describe, expect, it } from 'vitest';

const ENVELOPE_KEYS = ['v', 'type', 'seq', 'epoch', 'eventId', 'runId', 'threadId', 'userId', 'agentName', 'ts', 'data'] as const;

// Any string, quotes, backslashes, control characters and lone surrogates included: ids are
// validated upstream, but the codec must not depend on it to stay correct.
const anyString = fc.string({ unit: 'binary', maxLength: 24 });
const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
// 2000-01-01 .. 2100-01-01: toISOString stays in the four-digit-year form.
const epochMs = fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 });

const draftArb: fc.Arbitrary<FrameDraft> = fc.record({
  type: fc.constantFrom(...AGENT_EVENT_TYPES),
  eventId: anyString,
  runId: anyString,
  threadId: anyString,
  userId: anyString,
  agentName: anyString,
  ts: epochMs,
  data: jsonObject,
}) as unknown as fc.Arbitrary<FrameDraft>;
const seqArb = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** The envelope as an object in the protocol's key order. */
function envelopeOf(draft: FrameDraft, seq: number, epoch: string): Record<string, unknown> {
  const { type, eventId, runId, threadId, userId, agentName, ts, data } = draft;
  return { v: 1, type, seq, epoch, eventId, runId, threadId, userId, agentName, ts: new Date(ts).toISOString(), data };
}

function routingOf(envelope: Record<string, unknown>): Record<string, unknown> {
  const { type, seq, runId, threadId, userId } = envelope;
  return { type, seq, runId, threadId, userId };
}

describe('frame codec', () => {
  it('writes exactly what JSON.stringify writes for the envelope, and every event round-trips', () => {
    fc.assert(
      fc.property(draftArb, seqArb, anyString, (draft, seq, epoch) => {
        const frame = encodeFrame(draft, seq, epoch);
        const envelope = envelopeOf(draft, seq, epoch);
        expect(frame).toBe(JSON.stringify(envelope));
        expect(decodeFrame(frame)).toEqual(JSON.parse(frame));
        expect(decodeFrame(frame)).toEqual(JSON.parse(JSON.stringify(envelope)));
        expect(readFrameRouting(frame)).toEqual(routingOf(envelope));
        expect(joinFrame(encodeFrameParts(draft, epoch), seq)).toBe(frame);
        expect(frame.indexOf(eventIdMark(draft.eventId))).toBe(frame.indexOf(',"epoch":') + `,"epoch":${JSON.stringify(epoch)}`.length);
      }),
      { numRuns: 500 },
    );
  });

  it('routes a frame with reordered keys, added fields and a decoy envelope inside data by its own fields', () => {
    const extra = fc.dictionary(
      fc.string({ maxLength: 8 }).filter((key) => !(ENVELOPE_KEYS as readonly string[]).includes(key)),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 3 },
    );
    fc.assert(
      fc.property(draftArb, draftArb, seqArb, anyString, extra, fc.infiniteStream(fc.nat()), (draft, decoy, seq, epoch, added, order) => {
        // The payload carries a whole other envelope (another user, as the canonical prefix) and bare routing keys.
        const decoyEnvelope = JSON.parse(encodeFrame(decoy, seq + 1 > Number.MAX_SAFE_INTEGER ? 0 : seq + 1, 'decoy')) as object;
        const data = { nested: decoyEnvelope, userId: decoy.userId, runId: decoy.runId, threadId: decoy.threadId, type: decoy.type };
        const envelope = envelopeOf({ ...draft, data } as unknown as FrameDraft, seq, epoch);
        const entries = Object.entries({ ...envelope, ...added });
        const shuffled = shuffle(entries, order);
        const frame = JSON.stringify(Object.fromEntries(shuffled));
        expect(readFrameRouting(frame)).toEqual(routingOf(envelope));
        expect(decodeFrame(frame)).toEqual(JSON.parse(frame));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a frame that lacks a routing field or carries it with the wrong type, in any key order', () => {
    const strings = ['type', 'epoch', 'runId', 'threadId', 'userId'] as const;
    const broken = fc.constantFrom(
      ...[...strings, 'seq', 'v'].flatMap((key) => [
        { key, value: undefined },
        { key, value: null },
      ]),
      ...strings.map((key) => ({ key, value: 7 })),
      { key: 'type', value: 'not_an_event' },
      { key: 'v', value: 2 },
      { key: 'seq', value: -1 },
      { key: 'seq', value: 1.5 },
      { key: 'seq', value: '5' },
    );
    fc.assert(
      fc.property(draftArb, seqArb, anyString, broken, fc.infiniteStream(fc.nat()), (draft, seq, epoch, { key, value }, order) => {
        // The payload holds a perfectly good copy of the missing field: it must not be used.
        const envelope = envelopeOf({ ...draft, data: { [key]: envelopeOf(draft, seq, epoch)[key] } } as unknown as FrameDraft, seq, epoch);
        const entries = Object.entries(envelope)
          .filter(([name]) => name !== key || value !== undefined)
          .map(([name, field]) => [name, name === key ? value : field] as const);
        const frame = JSON.stringify(Object.fromEntries(shuffle(entries, order)));
        expect(() => readFrameRouting(frame)).toThrow(FrameFormatError);
        expect(() => decodeFrame(frame)).toThrow(FrameFormatError);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses text that is not JSON, and an event type outside the protocol when encoding', () => {
    expect(() => readFrameRouting('{"v":1,"type":"agent_started","seq":1,')).toThrow(FrameFormatError);
    expect(() => decodeFrame('')).toThrow(FrameFormatError);
    // A payload that is not an object does not change routing, but decoding refuses it.
    expect(() => decodeFrame(encodeFrame({ ...plainDraft, data: [] } as unknown as FrameDraft, 1, 'e'))).toThrow(FrameFormatError);
    const draft = { ...plainDraft, type: 'agent_started","userId":"mallory' };
    expect(() => encodeFrame(draft as unknown as FrameDraft, 1, 'e')).toThrow(FrameFormatError);
  });
});

const plainDraft = { type: 'agent_started', eventId: 'e', runId: 'r', threadId: 't', userId: 'u', agentName: 'a', ts: 0, data: { input: 'hi' } };

function shuffle<T>(items: T[], order: fc.Stream<number>): T[] {
  const out = [...items];
  const picks = order.take(out.length);
  let i = out.length;
  for (const pick of picks) {
    i -= 1;
    if (i <= 0) break;
    const j = pick % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
