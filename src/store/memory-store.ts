/**
 * In-memory EventStore: for tests and for deployments that accept losing history on restart.
 * A new epoch per instance tells resuming clients that older seqs are gone.
 */
import { randomUUID } from 'node:crypto';
import { isTerminalType } from '../protocol/events.js';
import { RunClosedError } from '../errors/agentwire-error.js';
import { storedEvent } from './frame.js';
import {
  DEFAULT_RETENTION,
  isEndedStatus,
  TERMINAL_STATUS,
  type ClaimRunResult,
  type EventDraft,
  type EventStore,
  type RetentionPolicy,
  type RunRecord,
  type RunStatus,
  type StoredEvent,
  type ThreadRecord,
} from './event-store.js';

/** One user's retained events: `events[head..]` are live; the prefix is garbage to compact. */
interface UserLog {
  lastSeq: number;
  head: number;
  events: StoredEvent[];
}

export class MemoryEventStore implements EventStore {
  readonly epoch: string;
  readonly #retention: RetentionPolicy;
  readonly #logs = new Map<string, UserLog>();
  readonly #threads = new Map<string, ThreadRecord>();
  readonly #runs = new Map<string, RunRecord>();
  readonly #runsByClientMessage = new Map<string, string>();

  constructor(options: { retention?: Partial<RetentionPolicy>; epoch?: string } = {}) {
    this.epoch = options.epoch ?? randomUUID();
    this.#retention = { ...DEFAULT_RETENTION, ...options.retention };
  }

  append(draft: EventDraft): Promise<StoredEvent> {
    const run = this.#runs.get(draft.runId);
    if (run && isEndedStatus(run.status)) return Promise.reject(new RunClosedError(draft.runId));
    const log = this.#log(draft.userId);
    log.lastSeq += 1;
    const event = storedEvent(draft, log.lastSeq, this.epoch);
    log.events.push(event);
    if (run && isTerminalType(draft.type)) run.status = TERMINAL_STATUS[draft.type];
    if (log.events.length - log.head > this.#retention.maxEventsPerUser) log.head += 1;
    compact(log);
    return Promise.resolve(event);
  }

  readAfter(userId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const log = this.#logs.get(userId);
    if (!log) return Promise.resolve([]);
    const start = Math.max(log.head, firstIndexAfter(log.events, log.head, afterSeq));
    return Promise.resolve(log.events.slice(start, start + limit));
  }

  lastSeq(userId: string): Promise<number> {
    return Promise.resolve(this.#logs.get(userId)?.lastSeq ?? 0);
  }

  firstSeq(userId: string): Promise<number> {
    const log = this.#logs.get(userId);
    if (!log) return Promise.resolve(1);
    return Promise.resolve(log.events[log.head]?.seq ?? log.lastSeq + 1);
  }

  readThread(userId: string, threadId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const log = this.#logs.get(userId);
    if (!log) return Promise.resolve([]);
    const out: StoredEvent[] = [];
    for (let i = Math.max(log.head, firstIndexAfter(log.events, log.head, afterSeq)); i < log.events.length && out.length < limit; i++) {
      const event = log.events[i];
      if (event?.threadId === threadId) out.push(event);
    }
    return Promise.resolve(out);
  }

  createThread(thread: ThreadRecord): Promise<void> {
    if (!this.#threads.has(thread.threadId)) this.#threads.set(thread.threadId, { ...thread });
    return Promise.resolve();
  }

  getThread(threadId: string): Promise<ThreadRecord | undefined> {
    const thread = this.#threads.get(threadId);
    return Promise.resolve(thread ? { ...thread } : undefined);
  }

  listThreads(userId: string, limit: number): Promise<ThreadRecord[]> {
    const own = [...this.#threads.values()].filter((t) => t.userId === userId);
    own.sort((a, b) => b.updatedAt - a.updatedAt);
    return Promise.resolve(own.slice(0, limit).map((t) => ({ ...t })));
  }

  renameThread(threadId: string, title: string): Promise<ThreadRecord | undefined> {
    const thread = this.#threads.get(threadId);
    if (thread) thread.title = title;
    return Promise.resolve(thread ? { ...thread } : undefined);
  }

  deleteThread(threadId: string): Promise<boolean> {
    const thread = this.#threads.get(threadId);
    if (!thread) return Promise.resolve(false);
    this.#threads.delete(threadId);
    const log = this.#logs.get(thread.userId);
    if (log) {
      // lastSeq is untouched: the next event still gets the next seq.
      log.events = log.events.slice(log.head).filter((event) => event.threadId !== threadId);
      log.head = 0;
    }
    return Promise.resolve(true);
  }

  claimRun(run: RunRecord): Promise<ClaimRunResult> {
    const key = `${run.userId}\u0000${run.clientMessageId}`;
    const existingId = this.#runsByClientMessage.get(key);
    const existing = existingId === undefined ? undefined : this.#runs.get(existingId);
    if (existing) return Promise.resolve({ created: false, run: { ...existing } });
    this.#runs.set(run.runId, { ...run });
    this.#runsByClientMessage.set(key, run.runId);
    const thread = this.#threads.get(run.threadId);
    if (thread) thread.updatedAt = run.createdAt;
    return Promise.resolve({ created: true, run: { ...run } });
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    const run = this.#runs.get(runId);
    return Promise.resolve(run ? { ...run } : undefined);
  }

  runByClientMessage(userId: string, clientMessageId: string): Promise<RunRecord | undefined> {
    const runId = this.#runsByClientMessage.get(`${userId}\u0000${clientMessageId}`);
    return this.getRun(runId ?? '');
  }

  setRunStatus(runId: string, status: RunStatus): Promise<void> {
    const run = this.#runs.get(runId);
    if (run) run.status = status;
    return Promise.resolve();
  }

  unfinishedRuns(nodeId: string): Promise<RunRecord[]> {
    const open = [...this.#runs.values()].filter((r) => r.nodeId === nodeId && (r.status === 'queued' || r.status === 'running'));
    return Promise.resolve(open.map((r) => ({ ...r })));
  }

  prune(now: number): Promise<number> {
    const cutoff = now - this.#retention.maxAgeMs;
    let dropped = 0;
    for (const log of this.#logs.values()) {
      while (log.head < log.events.length && (log.events[log.head]?.ts ?? Infinity) < cutoff) {
        log.head += 1;
        dropped += 1;
      }
      compact(log);
    }
    return Promise.resolve(dropped);
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #log(userId: string): UserLog {
    let log = this.#logs.get(userId);
    if (!log) {
      log = { lastSeq: 0, head: 0, events: [] };
      this.#logs.set(userId, log);
    }
    return log;
  }
}

/** Index of the first event with seq > afterSeq (binary search; seqs ascend). */
function firstIndexAfter(events: StoredEvent[], from: number, afterSeq: number): number {
  let lo = from;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid]?.seq ?? Infinity) <= afterSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function compact(log: UserLog): void {
  if (log.head > 1024 && log.head * 2 > log.events.length) {
    log.events = log.events.slice(log.head);
    log.head = 0;
  }
}
