/**
 * How the Redis store's records are laid out in Redis values: stream entries, run and thread
 * hashes. One place for the field names the Lua scripts also use.
 */
import type { RunRecord, RunStatus, StoredEvent, ThreadRecord } from '../store/event-store.js';
import { FrameFormatError, readFrameRouting } from '../protocol/frame-codec.js';

/** Stream entry id `<seq>-0` → seq. */
export function seqOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

export function fromEntry(userId: string, [id, fields]: [string, string[]]): StoredEvent {
  // Fields are written as f, frame, ts, ts-value.
  return eventFromFrame(userId, seqOf(id), Number(fields[3]), fields[1] ?? '');
}

/**
 * A stored event from its frame and the key it was stored under. Redis keeps only the frame and
 * the ts (~80 bytes per event less than storing the routing fields twice); the rest is read back
 * through the codec. A frame that names another user or seq than its key throws: it must never
 * be delivered under the key's user.
 */
export function eventFromFrame(userId: string, seq: number, ts: number, frame: string): StoredEvent {
  const routing = readFrameRouting(frame);
  if (routing.userId !== userId || routing.seq !== seq) {
    throw new FrameFormatError(`frame of seq ${routing.seq} names another user or seq than its key (seq ${seq})`);
  }
  return { seq, userId, ts, frame, type: routing.type, runId: routing.runId, threadId: routing.threadId };
}

export function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}

export function runFields(run: RunRecord): string[] {
  return [
    'runId', run.runId, 'userId', run.userId, 'threadId', run.threadId, 'agentName', run.agentName,
    'clientMessageId', run.clientMessageId, 'status', run.status, 'createdAt', String(run.createdAt), 'nodeId', run.nodeId,
  ];
}

export function runFromHash(hash: Record<string, string>): RunRecord | undefined {
  const { runId, userId, threadId, agentName, clientMessageId, status, createdAt, nodeId } = hash;
  if (runId === undefined || userId === undefined || threadId === undefined || status === undefined) return undefined;
  return {
    runId,
    userId,
    threadId,
    agentName: agentName ?? '',
    clientMessageId: clientMessageId ?? '',
    status: status as RunStatus,
    createdAt: Number(createdAt ?? 0),
    nodeId: nodeId ?? '',
  };
}

export function threadFromHash(threadId: string, hash: Record<string, string>): ThreadRecord | undefined {
  if (hash.userId === undefined) return undefined;
  return { threadId, userId: hash.userId, title: hash.title ?? '', createdAt: Number(hash.createdAt ?? 0), updatedAt: Number(hash.updatedAt ?? 0) };
}
