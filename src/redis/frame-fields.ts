/**
 * Redis keeps an event as its wire frame plus its ts; the routing fields a StoredEvent carries
 * (type, runId, threadId) are read back from the frame. That saves ~80 bytes per event in
 * Redis against storing them twice, and costs one anchored regex per event read.
 */
import type { AgentEventType } from '../protocol/events.js';
import type { StoredEvent } from '../store/event-store.js';
import { encodeFrame } from '../store/frame.js';
import type { EventDraft } from '../store/event-store.js';

// encodeFrame writes the envelope's keys in a fixed order; eventId and epoch never contain quotes.
const HEAD = /^\{"v":1,"type":"([a-z_]+)","seq":\d+,"epoch":"[^"]*","eventId":"[^"]*","runId":"((?:[^"\\]|\\.)*)","threadId":"((?:[^"\\]|\\.)*)"/;

export function eventFromFrame(userId: string, seq: number, ts: number, frame: string): StoredEvent {
  const match = HEAD.exec(frame);
  if (match) {
    const [, type, runId, threadId] = match as unknown as [string, AgentEventType, string, string];
    return { seq, userId, ts, frame, type, runId: unescape(runId), threadId: unescape(threadId) };
  }
  // Not the shape encodeFrame writes (a frame from another version): parse it properly.
  const envelope = JSON.parse(frame) as { type: AgentEventType; runId: string; threadId: string };
  return { seq, userId, ts, frame, type: envelope.type, runId: envelope.runId, threadId: envelope.threadId };
}

function unescape(value: string): string {
  return value.includes('\\') ? (JSON.parse(`"${value}"`) as string) : value;
}

const SEQ_MARK = '"seq":0,';

/**
 * The frame split around its seq, for the append script to join with the seq it assigns:
 * `head + seq + tail` is byte for byte what encodeFrame(draft, seq, epoch) returns.
 */
export function splitFrame(draft: EventDraft, epoch: string): { head: string; tail: string } {
  const frame = encodeFrame(draft, 0, epoch);
  // The first match is the envelope's own seq: only "v" and the (enum) type come before it.
  const at = frame.indexOf(SEQ_MARK);
  return { head: frame.slice(0, at + SEQ_MARK.length - 2), tail: frame.slice(at + SEQ_MARK.length - 1) };
}
