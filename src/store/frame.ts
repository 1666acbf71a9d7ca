/**
 * Builds the wire frame of an event. Called once per event, by the store that assigns its seq;
 * the result is sent as-is to every connection and kept for replay.
 */
import type { EventDraft, StoredEvent } from './event-store.js';

// Events come in bursts within the same millisecond: format each millisecond once.
let lastMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export function encodeFrame(draft: EventDraft, seq: number, epoch: string): string {
  // Concatenated rather than JSON.stringify of an envelope object: the same text (the field
  // order is the envelope's), with one stringify for the payload and none for the fixed parts.
  // Ids are validated by the emitter's context; they are quoted with JSON.stringify all the same.
  return (
    `{"v":1,"type":"${draft.type}","seq":${seq},"epoch":${JSON.stringify(epoch)},"eventId":${JSON.stringify(draft.eventId)}` +
    `,"runId":${JSON.stringify(draft.runId)},"threadId":${JSON.stringify(draft.threadId)},"userId":${JSON.stringify(draft.userId)}` +
    `,"agentName":${JSON.stringify(draft.agentName)},"ts":"${isoTime(draft.ts)}","data":${JSON.stringify(draft.data)}}`
  );
}

export function storedEvent(draft: EventDraft, seq: number, epoch: string): StoredEvent {
  return {
    seq,
    userId: draft.userId,
    threadId: draft.threadId,
    runId: draft.runId,
    type: draft.type,
    ts: draft.ts,
    frame: encodeFrame(draft, seq, epoch),
  };
}
