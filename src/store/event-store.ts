/**
 * The EventStore contract. Every back-end (memory, SQLite, Redis) implements exactly this and
 * passes the same contract suite (test/store-contract.ts). The bridge is the only writer of
 * events; the notifier and the HTTP API are the readers.
 */
import type { AgentEventType } from '../protocol/events.js';

import type { FrameDraft } from '../protocol/frame-codec.js';

/**
 * An event as the bridge hands it to the store: everything but seq and epoch. The frame codec
 * owns this shape (it is what a frame is made of); the store takes it as it is.
 */
export type EventDraft<T extends AgentEventType = AgentEventType> = FrameDraft<T>;

/**
 * A stored event: its position and its wire frame. The frame is the exact JSON text sent to
 * sockets; it is serialised once, when the event is appended, and never again.
 */
export interface StoredEvent {
  readonly seq: number;
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
  readonly type: AgentEventType;
  readonly ts: number;
  readonly frame: string;
}

export interface ThreadRecord {
  threadId: string;
  userId: string;
  title: string;
  createdAt: number;
  updatedAt: number;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'error' | 'died';

export interface RunRecord {
  runId: string;
  userId: string;
  threadId: string;
  agentName: string;
  clientMessageId: string;
  status: RunStatus;
  createdAt: number;
  /** Node that executes the run (multi-node deployments); the single node otherwise. */
  nodeId: string;
}

export interface RetentionPolicy {
  /** Events kept per user; older ones are dropped first. */
  maxEventsPerUser: number;
  /** Events older than this many milliseconds are dropped. */
  maxAgeMs: number;
}

/** The run status a terminal event type leaves behind. */
export function isEndedStatus(status: RunStatus): boolean {
  return status === 'completed' || status === 'error' || status === 'died';
}

export const TERMINAL_STATUS = { agent_completed: 'completed', agent_error: 'error', agent_death: 'died' } as const satisfies Record<string, RunStatus>;

export const DEFAULT_RETENTION: RetentionPolicy = { maxEventsPerUser: 10_000, maxAgeMs: 7 * 24 * 3600_000 };

export interface ClaimRunResult {
  /** false when a run with this clientMessageId already existed; `run` is that earlier run. */
  created: boolean;
  run: RunRecord;
}

export interface EventStore {
  /** Identifies this store's sequence space. Seqs restart from 1 only under a new epoch. */
  readonly epoch: string;

  /**
   * Appends one event and returns it with its seq. Atomic and gapless per user: once append
   * resolves (or even once it has been called, for appends of the same store in call order),
   * the event is readable by readAfter. Appends are applied in call order. Appending a terminal
   * event (agent_completed, agent_error, agent_death) also ends its run record in the same
   * atomic step, so a restart can tell runs that ended from runs that were cut off. Any event
   * for a run whose record has ended is refused with RunClosedError: whichever node ends a run
   * first wins, and nothing can follow the terminal event.
   */
  append(draft: EventDraft): Promise<StoredEvent>;

  /** Events of one user with seq > afterSeq, ascending, at most `limit`. */
  readAfter(userId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;

  /** Highest seq assigned to the user (0 when none). */
  lastSeq(userId: string): Promise<number>;

  /** Lowest seq still retained for the user; lastSeq + 1 when nothing is retained. */
  firstSeq(userId: string): Promise<number>;

  /** Events of one thread with seq > afterSeq, ascending. The caller checks ownership first. */
  readThread(userId: string, threadId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;

  /** Creates a thread owned by the user. */
  createThread(thread: ThreadRecord): Promise<void>;
  getThread(threadId: string): Promise<ThreadRecord | undefined>;
  listThreads(userId: string, limit: number): Promise<ThreadRecord[]>;
  /** Sets a thread's title; undefined when there is no such thread. The caller checks ownership. */
  renameThread(threadId: string, title: string): Promise<ThreadRecord | undefined>;
  /**
   * Deletes a thread for good: its record and every event of it. The user's seq head stays where
   * it was, so no later event reuses a deleted seq; a client that resumes across the deleted
   * events is told they are gone (resumed, recovered: false). Run records stay (they hold no
   * content, and keep a retried clientMessageId from starting a second run). The caller checks
   * ownership and that no run of the thread is still going. false when there was no such thread.
   */
  deleteThread(threadId: string): Promise<boolean>;

  /**
   * Records a run, idempotently on (userId, clientMessageId): a second claim with the same
   * clientMessageId returns the first run and created: false.
   */
  claimRun(run: RunRecord): Promise<ClaimRunResult>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  runByClientMessage(userId: string, clientMessageId: string): Promise<RunRecord | undefined>;
  setRunStatus(runId: string, status: RunStatus): Promise<void>;
  /** Runs not yet ended that were executing on the given node. */
  unfinishedRuns(nodeId: string): Promise<RunRecord[]>;

  /** Drops events past the retention policy. Returns how many were dropped. */
  prune(now: number): Promise<number>;

  /** true while the back-end answers. */
  healthy(): Promise<boolean>;

  close(): Promise<void>;
}
