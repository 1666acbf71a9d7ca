/**
 * Builds the wire frame of an event. Called once per event, by the store that assigns its seq;
 * the result is sent as-is to every connection and kept for replay.
 */
import type { AgentEventEnvelope } from '../protocol/events.js';
import type { EventDraft, StoredEvent } from './event-store.js';

export function encodeFrame(draft: EventDraft, seq: number, epoch: string): string {
  const envelope: AgentEventEnvelope = {
    v: 1,
    type: draft.type,
    seq,
    epoch,
    eventId: draft.eventId,
    runId: draft.runId,
    threadId: draft.threadId,
    userId: draft.userId,
    agentName: draft.agentName,
    ts: new Date(draft.ts).toISOString(),
    data: draft.data,
  };
  return JSON.stringify(envelope);
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
