/**
 * SQLite EventStore (better-sqlite3, WAL): the embedded default. Each append is one
 * transaction, so a process killed at any instant loses no acknowledged event, and a restart on
 * the same file keeps the epoch and every retained seq.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isTerminalType, type AgentEventType } from '../protocol/events.js';
import { AgentwireError, InternalErrorCode, RunClosedError } from '../errors/agentwire-error.js';
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS user_seq (user_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  user_id TEXT NOT NULL, seq INTEGER NOT NULL, thread_id TEXT NOT NULL, run_id TEXT NOT NULL,
  type TEXT NOT NULL, ts INTEGER NOT NULL, frame TEXT NOT NULL,
  PRIMARY KEY (user_id, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_thread ON events (user_id, thread_id, seq);
CREATE INDEX IF NOT EXISTS events_by_ts ON events (ts);
CREATE TABLE IF NOT EXISTS threads (
  thread_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS threads_by_user ON threads (user_id, updated_at);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, thread_id TEXT NOT NULL, agent_name TEXT NOT NULL,
  client_message_id TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, node_id TEXT NOT NULL,
  UNIQUE (user_id, client_message_id));
CREATE INDEX IF NOT EXISTS runs_open ON runs (node_id, status);
`;

interface EventRow {
  user_id: string;
  seq: number;
  thread_id: string;
  run_id: string;
  type: AgentEventType;
  ts: number;
  frame: string;
}
interface RunRow {
  run_id: string;
  user_id: string;
  thread_id: string;
  agent_name: string;
  client_message_id: string;
  status: RunStatus;
  created_at: number;
  node_id: string;
}
interface ThreadRow {
  thread_id: string;
  user_id: string;
  title: string;
  created_at: number;
  updated_at: number;
}

export class SqliteEventStore implements EventStore {
  readonly epoch: string;
  readonly #db: Database.Database;
  readonly #retention: RetentionPolicy;
  readonly #appendTx: (draft: EventDraft) => StoredEvent;
  readonly #stmt;

  constructor(path: string, options: { retention?: Partial<RetentionPolicy> } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#retention = { ...DEFAULT_RETENTION, ...options.retention };
    try {
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives a killed process; only an OS crash can lose the last commits.
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec(SCHEMA);
    } catch (error) {
      throw new AgentwireError(InternalErrorCode.STORE, `cannot open SQLite store at ${path}`, { cause: error });
    }
    this.epoch = this.#loadEpoch();
    this.#stmt = this.#prepare();
    this.#appendTx = this.#db.transaction((draft: EventDraft) => this.#appendOne(draft));
  }

  #prepare() {
    const db = this.#db;
    return {
      nextSeq: db.prepare<[string], { last_seq: number }>(
        'INSERT INTO user_seq (user_id, last_seq) VALUES (?, 1) ON CONFLICT (user_id) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq',
      ),
      insert: db.prepare('INSERT INTO events (user_id, seq, thread_id, run_id, type, ts, frame) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      trimCount: db.prepare('DELETE FROM events WHERE user_id = ? AND seq <= ?'),
      readAfter: db.prepare<[string, number, number], EventRow>('SELECT * FROM events WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      readThread: db.prepare<[string, string, number, number], EventRow>(
        'SELECT * FROM events WHERE user_id = ? AND thread_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM user_seq WHERE user_id = ?'),
      firstSeq: db.prepare<[string], { s: number | null }>('SELECT MIN(seq) AS s FROM events WHERE user_id = ?'),
      pruneAge: db.prepare('DELETE FROM events WHERE ts < ?'),
      insertThread: db.prepare('INSERT OR IGNORE INTO threads (thread_id, user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
      getThread: db.prepare<[string], ThreadRow>('SELECT * FROM threads WHERE thread_id = ?'),
      listThreads: db.prepare<[string, number], ThreadRow>('SELECT * FROM threads WHERE user_id = ? ORDER BY updated_at DESC LIMIT ?'),
      touchThread: db.prepare('UPDATE threads SET updated_at = ? WHERE thread_id = ?'),
      insertRun: db.prepare(
        'INSERT OR IGNORE INTO runs (run_id, user_id, thread_id, agent_name, client_message_id, status, created_at, node_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      runByClientMessage: db.prepare<[string, string], RunRow>('SELECT * FROM runs WHERE user_id = ? AND client_message_id = ?'),
      getRun: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE run_id = ?'),
      runStatus: db.prepare<[string], { status: RunStatus }>('SELECT status FROM runs WHERE run_id = ?'),
      setRunStatus: db.prepare('UPDATE runs SET status = ? WHERE run_id = ?'),
      unfinished: db.prepare<[string], RunRow>("SELECT * FROM runs WHERE node_id = ? AND status IN ('queued', 'running')"),
    };
  }

  #loadEpoch(): string {
    const row = this.#db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'epoch'").get();
    if (row) return row.value;
    const epoch = randomUUID();
    this.#db.prepare("INSERT INTO meta (key, value) VALUES ('epoch', ?)").run(epoch);
    return epoch;
  }

  #appendOne(draft: EventDraft): StoredEvent {
    const run = this.#stmt.runStatus.get(draft.runId);
    if (run && isEndedStatus(run.status)) throw new RunClosedError(draft.runId);
    const seqRow = this.#stmt.nextSeq.get(draft.userId);
    if (!seqRow) throw new AgentwireError(InternalErrorCode.STORE, 'sequence update returned no row');
    const event = storedEvent(draft, seqRow.last_seq, this.epoch);
    this.#stmt.insert.run(draft.userId, event.seq, draft.threadId, draft.runId, draft.type, draft.ts, event.frame);
    if (isTerminalType(draft.type)) this.#stmt.setRunStatus.run(TERMINAL_STATUS[draft.type], draft.runId);
    const keepFrom = event.seq - this.#retention.maxEventsPerUser;
    if (keepFrom > 0) this.#stmt.trimCount.run(draft.userId, keepFrom);
    return event;
  }

  append(draft: EventDraft): Promise<StoredEvent> {
    try {
      return Promise.resolve(this.#appendTx(draft));
    } catch (error) {
      return Promise.reject(error instanceof AgentwireError ? error : new AgentwireError(InternalErrorCode.STORE, 'append failed', { cause: error }));
    }
  }

  readAfter(userId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return Promise.resolve(this.#stmt.readAfter.all(userId, afterSeq, limit).map(fromRow));
  }

  lastSeq(userId: string): Promise<number> {
    return Promise.resolve(this.#stmt.lastSeq.get(userId)?.last_seq ?? 0);
  }

  firstSeq(userId: string): Promise<number> {
    const first = this.#stmt.firstSeq.get(userId)?.s;
    if (first !== null && first !== undefined) return Promise.resolve(first);
    return Promise.resolve((this.#stmt.lastSeq.get(userId)?.last_seq ?? 0) + 1);
  }

  readThread(userId: string, threadId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return Promise.resolve(this.#stmt.readThread.all(userId, threadId, afterSeq, limit).map(fromRow));
  }

  createThread(thread: ThreadRecord): Promise<void> {
    this.#stmt.insertThread.run(thread.threadId, thread.userId, thread.title, thread.createdAt, thread.updatedAt);
    return Promise.resolve();
  }

  getThread(threadId: string): Promise<ThreadRecord | undefined> {
    const row = this.#stmt.getThread.get(threadId);
    return Promise.resolve(row ? threadFromRow(row) : undefined);
  }

  listThreads(userId: string, limit: number): Promise<ThreadRecord[]> {
    return Promise.resolve(this.#stmt.listThreads.all(userId, limit).map(threadFromRow));
  }

  claimRun(run: RunRecord): Promise<ClaimRunResult> {
    const claim = this.#db.transaction((): ClaimRunResult => {
      const existing = this.#stmt.runByClientMessage.get(run.userId, run.clientMessageId);
      if (existing) return { created: false, run: runFromRow(existing) };
      this.#stmt.insertRun.run(run.runId, run.userId, run.threadId, run.agentName, run.clientMessageId, run.status, run.createdAt, run.nodeId);
      this.#stmt.touchThread.run(run.createdAt, run.threadId);
      return { created: true, run: { ...run } };
    });
    return Promise.resolve(claim());
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    const row = this.#stmt.getRun.get(runId);
    return Promise.resolve(row ? runFromRow(row) : undefined);
  }

  runByClientMessage(userId: string, clientMessageId: string): Promise<RunRecord | undefined> {
    const row = this.#stmt.runByClientMessage.get(userId, clientMessageId);
    return Promise.resolve(row ? runFromRow(row) : undefined);
  }

  setRunStatus(runId: string, status: RunStatus): Promise<void> {
    this.#stmt.setRunStatus.run(status, runId);
    return Promise.resolve();
  }

  unfinishedRuns(nodeId: string): Promise<RunRecord[]> {
    return Promise.resolve(this.#stmt.unfinished.all(nodeId).map(runFromRow));
  }

  prune(now: number): Promise<number> {
    return Promise.resolve(this.#stmt.pruneAge.run(now - this.#retention.maxAgeMs).changes);
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(this.#db.open);
  }

  close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    return Promise.resolve();
  }
}

function fromRow(row: EventRow): StoredEvent {
  return { seq: row.seq, userId: row.user_id, threadId: row.thread_id, runId: row.run_id, type: row.type, ts: row.ts, frame: row.frame };
}

function runFromRow(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    userId: row.user_id,
    threadId: row.thread_id,
    agentName: row.agent_name,
    clientMessageId: row.client_message_id,
    status: row.status,
    createdAt: row.created_at,
    nodeId: row.node_id,
  };
}

function threadFromRow(row: ThreadRow): ThreadRecord {
  return { threadId: row.thread_id, userId: row.user_id, title: row.title, createdAt: row.created_at, updatedAt: row.updated_at };
}
