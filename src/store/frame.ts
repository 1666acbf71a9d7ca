/**
 * A StoredEvent from a draft and the seq its store assigned. The frame's byte layout is owned by
 * protocol/frame-codec.ts; this only pairs the frame with the fields stores index it by.
 */
import { encodeFrame } from '../protocol/frame-codec.js';
import type { EventDraft, StoredEvent } from './event-store.js';

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
