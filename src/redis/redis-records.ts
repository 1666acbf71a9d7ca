/**
 * How the Redis store's records are laid out in Redis values: stream entries, run and thread
 * hashes. One place for the field names the Lua scripts also use.
 */
import type { RunRecord, RunStatus, StoredEvent, ThreadRecord } from '../store/event-store.js';
import { eventFromFrame } from './frame-fields.js';

/** Stream entry id `<seq>-0` → seq. */
export function seqOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

export function fromEntry(userId: string, [id, fields]: [string, string[]]): StoredEvent {
  // Fields are written as f, frame, ts, ts-value.
  return eventFromFrame(userId, seqOf(id), Number(fields[3]), fields[1] ?? '');
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
