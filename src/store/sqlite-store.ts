/**
 * SQLite EventStore (better-sqlite3, WAL): the embedded default. An event is handed on only
 * after the transaction holding it committed, so a process killed at any instant loses no
 * published event, and a restart on the same file keeps the epoch and every retained seq.
 *
 * Events are rows in append order (an integer key), found per user through a small index on
 * (user, seq). Keyed by (user, seq) themselves, every append landed in the middle of the tree and
 * rebalanced its neighbours: about three 4 KiB pages written to the log per event, against one
 * index page and a share of the table's last page now.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isTerminalType, type AgentEventType } from '../protocol/events.js';
import { AgentwireError, InternalErrorCode, RunClosedError } from '../errors/agentwire-error.js';
import { FlushScheduler } from './flush-scheduler.js';
import { storedEvent } from './frame.js';
import { checkpointSettings, SqliteCheckpointer, type CheckpointFailure, type CheckpointOptions } from './sqlite-checkpointer.js';
import { SqliteFileLock } from './sqlite-file-lock.js';
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
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL, seq INTEGER NOT NULL, thread_id TEXT NOT NULL, run_id TEXT NOT NULL,
  type TEXT NOT NULL, ts INTEGER NOT NULL, frame TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_user ON events (user_id, seq);
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
/**
 * Commits per turn of the event loop made as soon as the emitting callback returns (see
 * FlushScheduler). At 3.9k events/s in the fan-out bench: p50 1.2 ms instead of 3–4 ms when
 * every commit waited for the turn's end.
 */
const QUICK_FLUSHES_PER_TURN = 32;

/** Entries kept per in-memory cache before it starts over (it refills from the tables). */
const CACHE_LIMIT = 100_000;

interface PendingAppend {
  draft: EventDraft;
  resolve: (event: StoredEvent) => void;
  reject: (error: Error) => void;
}

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

export interface SqliteStoreOptions {
  retention?: Partial<RetentionPolicy>;
  checkpoint?: CheckpointOptions;
  /** Told of every failure of the checkpoint thread (a server logs and counts it); default: a process warning. */
  onCheckpointFailure?: (failure: CheckpointFailure) => void;
}

export class SqliteEventStore implements EventStore {
  readonly epoch: string;
  readonly #db: Database.Database;
  readonly #retention: RetentionPolicy;
  readonly #checkpointer: SqliteCheckpointer | undefined;
  /** This process's claim on the file (none in memory); see sqlite-file-lock.ts. */
  readonly #lock: SqliteFileLock | undefined;
  readonly #pruneTx: (cutoff: number) => number;
  readonly #batchTx: (batch: readonly PendingAppend[], heads: Map<string, number>, ended: Set<string>) => (StoredEvent | RunClosedError)[];
  /** Committed head seq per user (this process is the file's only writer). */
  readonly #heads = new Map<string, number>();
  /** Whether a run's record has ended, per run seen. */
  readonly #runs = new Map<string, boolean>();
  /** Appends issued in this turn of the event loop, written together in one transaction. */
  #pending: PendingAppend[] = [];
  readonly #flushPending = (): void => {
    this.#flush();
  };
  readonly #flushes = new FlushScheduler(this.#flushPending, QUICK_FLUSHES_PER_TURN);
  readonly #stmt;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    const checkpoint = checkpointSettings(options.checkpoint);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#retention = { ...DEFAULT_RETENTION, ...options.retention };
    // Before anything reads or migrates the file: a second writer would corrupt its seqs.
    this.#lock = path === ':memory:' ? undefined : SqliteFileLock.acquire(path);
    try {
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives a killed process; only an OS crash can lose the last commits.
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#migrate();
      this.#db.exec(SCHEMA);
      if (path !== ':memory:') {
        // Checkpoints (and their fsync) run on a worker thread, not in the middle of a commit.
        this.#db.pragma('wal_autocheckpoint = 0');
        // Once restarted, the log file is cut back to the size that triggers a restart.
        const pageSize = this.#db.pragma('page_size', { simple: true }) as number;
        this.#db.pragma(`journal_size_limit = ${checkpoint.restartFrames * pageSize}`);
        this.#checkpointer = new SqliteCheckpointer(path, checkpoint, options.onCheckpointFailure);
      }
      if (this.#lock) this.#db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('holder', ?)").run(JSON.stringify(SqliteFileLock.holder()));
    } catch (error) {
      this.#lock?.release();
      throw new AgentwireError(InternalErrorCode.STORE, `cannot open SQLite store at ${path}`, { cause: error });
    }
    this.epoch = this.#loadEpoch();
    this.#stmt = this.#prepare();
    // Write transactions take the write lock when they begin (IMMEDIATE): a deferred one that
    // read first fails at once with SQLITE_BUSY, without waiting, if the checkpointer restarted
    // the log since that read.
    const pruneTx = this.#db.transaction((cutoff: number) => {
      const bound = this.#stmt.firstYoung.get(cutoff)?.id ?? (this.#stmt.lastId.get()?.id ?? 0) + 1;
      this.#stmt.saveHeads.run(bound);
      return this.#stmt.pruneAge.run(bound).changes;
    });
    this.#pruneTx = (cutoff) => pruneTx.immediate(cutoff);
    const batchTx = this.#db.transaction((batch: readonly PendingAppend[], heads: Map<string, number>, ended: Set<string>) => this.#appendBatch(batch, heads, ended));
    this.#batchTx = (batch, heads, ended) => batchTx.immediate(batch, heads, ended);
  }

  #prepare() {
    const db = this.#db;
    return {
      maxSeq: db.prepare<[string], { s: number | null }>('SELECT MAX(seq) AS s FROM events WHERE user_id = ?'),
      // Before age pruning: remember the head of every user it touches, in case it empties their log.
      saveHeads: db.prepare(
        `INSERT INTO user_seq (user_id, last_seq)
           SELECT d.user_id, (SELECT MAX(seq) FROM events WHERE user_id = d.user_id) FROM (SELECT DISTINCT user_id FROM events WHERE id < ?) AS d WHERE true
         ON CONFLICT (user_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)`,
      ),
      insert: db.prepare('INSERT INTO events (user_id, seq, thread_id, run_id, type, ts, frame) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      trimCount: db.prepare('DELETE FROM events WHERE user_id = ? AND seq <= ?'),
      readAfter: db.prepare<[string, number, number], EventRow>('SELECT * FROM events WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      readThread: db.prepare<[string, string, number, number], EventRow>(
        'SELECT * FROM events WHERE user_id = ? AND thread_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM user_seq WHERE user_id = ?'),
      firstSeq: db.prepare<[string], { s: number | null }>('SELECT MIN(seq) AS s FROM events WHERE user_id = ?'),
      pruneAge: db.prepare('DELETE FROM events WHERE id < ?'),
      // Rows are in append order, and ts follows it (to within the clock's jitter between runs):
      // everything before the first young row goes, so no row younger than the cutoff is lost.
      firstYoung: db.prepare<[number], { id: number }>('SELECT id FROM events WHERE ts >= ? ORDER BY id LIMIT 1'),
      lastId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM events'),
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

  /**
   * Files written before events were kept in append order (a table keyed by user and seq, which
   * cost several page writes per event) are rewritten once, in one transaction, to the current
   * layout: same rows, same seqs, same epoch.
   */
  #migrate(): void {
    const columns = this.#db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('events')").all().map((c) => c.name);
    if (columns.length === 0 || columns.includes('id')) return;
    this.#db.transaction(() => {
      this.#db.exec('ALTER TABLE events RENAME TO events_by_user_v1; DROP INDEX IF EXISTS events_by_thread; DROP INDEX IF EXISTS events_by_ts;');
      this.#db.exec(SCHEMA);
      this.#db.exec(
        `INSERT INTO events (user_id, seq, thread_id, run_id, type, ts, frame)
           SELECT user_id, seq, thread_id, run_id, type, ts, frame FROM events_by_user_v1 ORDER BY ts, user_id, seq;
         DROP TABLE events_by_user_v1;`,
      );
    }).immediate();
  }

  #loadEpoch(): string {
    const row = this.#db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'epoch'").get();
    if (row) return row.value;
    const epoch = randomUUID();
    this.#db.prepare("INSERT INTO meta (key, value) VALUES ('epoch', ?)").run(epoch);
    return epoch;
  }

  /**
   * Runs inside one transaction: a refused event (its run has ended) does not abort the others.
   * Each user's seq is bumped in memory and written once per batch; the caches behind it are
   * updated only after the commit (#flush), so a rolled-back batch leaves no trace.
   */
  #appendBatch(batch: readonly PendingAppend[], heads: Map<string, number>, ended: Set<string>): (StoredEvent | RunClosedError)[] {
    const results = batch.map(({ draft }) => {
      if (ended.has(draft.runId) || this.#runEnded(draft.runId)) return new RunClosedError(draft.runId);
      const seq = (heads.get(draft.userId) ?? this.#headOf(draft.userId)) + 1;
      const event = storedEvent(draft, seq, this.epoch);
      this.#stmt.insert.run(draft.userId, seq, draft.threadId, draft.runId, draft.type, draft.ts, event.frame);
      if (isTerminalType(draft.type)) {
        this.#stmt.setRunStatus.run(TERMINAL_STATUS[draft.type], draft.runId);
        ended.add(draft.runId);
      }
      heads.set(draft.userId, seq);
      return event;
    });
    for (const [userId, head] of heads) {
      const keepFrom = head - this.#retention.maxEventsPerUser;
      if (keepFrom > 0) this.#stmt.trimCount.run(userId, keepFrom);
    }
    return results;
  }

  /**
   * The user's committed head, from the cache, else (once) from the tables: the highest stored
   * seq, or the head saved before pruning emptied the log. Heads are not written per append:
   * count trimming always keeps the newest event, and age pruning saves heads first.
   */
  #headOf(userId: string): number {
    let head = this.#heads.get(userId);
    if (head === undefined) {
      head = Math.max(this.#stmt.maxSeq.get(userId)?.s ?? 0, this.#stmt.lastSeq.get(userId)?.last_seq ?? 0);
      if (this.#heads.size >= CACHE_LIMIT) this.#heads.clear();
      this.#heads.set(userId, head);
    }
    return head;
  }

  /** Whether the run's record has ended: cached, since only this store ends runs in this file. */
  #runEnded(runId: string): boolean {
    let ended = this.#runs.get(runId);
    if (ended === undefined) {
      const row = this.#stmt.runStatus.get(runId);
      ended = row !== undefined && isEndedStatus(row.status);
      if (this.#runs.size >= CACHE_LIMIT) this.#runs.clear();
      this.#runs.set(runId, ended);
    }
    return ended;
  }

  /**
   * Queues the event; every append issued before the queue is flushed (FlushScheduler, or the
   * next read) is written in one transaction. Order of calls is the order of seqs: each flush
   * takes the whole queue.
   */
  append(draft: EventDraft): Promise<StoredEvent> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ draft, resolve, reject }) === 1) this.#flushes.schedule();
    });
  }

  #flush(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let results: (StoredEvent | RunClosedError)[];
    const heads = new Map<string, number>();
    const ended = new Set<string>();
    try {
      results = this.#batchTx(batch, heads, ended);
    } catch (error) {
      const failure = error instanceof AgentwireError ? error : new AgentwireError(InternalErrorCode.STORE, 'append failed', { cause: error });
      for (const item of batch) item.reject(failure);
      return;
    }
    for (const [userId, head] of heads) this.#heads.set(userId, head);
    for (const runId of ended) this.#runs.set(runId, true);
    results.forEach((result, index) => {
      const item = batch[index] as PendingAppend;
      if (result instanceof RunClosedError) item.reject(result);
      else item.resolve(result);
    });
  }

  readAfter(userId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    // Reads see every append issued before them.
    this.#flush();
    return Promise.resolve(this.#stmt.readAfter.all(userId, afterSeq, limit).map(fromRow));
  }

  lastSeq(userId: string): Promise<number> {
    // Reads see every append issued before them.
    this.#flush();
    return Promise.resolve(this.#headOf(userId));
  }

  firstSeq(userId: string): Promise<number> {
    // Reads see every append issued before them.
    this.#flush();
    const first = this.#stmt.firstSeq.get(userId)?.s;
    if (first !== null && first !== undefined) return Promise.resolve(first);
    return Promise.resolve(this.#headOf(userId) + 1);
  }

  readThread(userId: string, threadId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    // Reads see every append issued before them.
    this.#flush();
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

  renameThread(threadId: string, title: string): Promise<ThreadRecord | undefined> {
    this.#db.prepare('UPDATE threads SET title = ? WHERE thread_id = ?').run(title, threadId);
    return this.getThread(threadId);
  }

  deleteThread(threadId: string): Promise<boolean> {
    // Appends already issued land first, so none of the thread's events is written after the delete.
    this.#flush();
    const thread = this.#stmt.getThread.get(threadId);
    if (!thread) return Promise.resolve(false);
    const head = this.#headOf(thread.user_id);
    const remove = this.#db.transaction(() => {
      // The head is saved first: deleting the newest events must not let a restart reuse their seqs.
      this.#db
        .prepare('INSERT INTO user_seq (user_id, last_seq) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)')
        .run(thread.user_id, head);
      this.#db.prepare('DELETE FROM events WHERE user_id = ? AND thread_id = ?').run(thread.user_id, threadId);
      this.#db.prepare('DELETE FROM threads WHERE thread_id = ?').run(threadId);
    });
    remove.immediate();
    return Promise.resolve(true);
  }

  claimRun(run: RunRecord): Promise<ClaimRunResult> {
    const claim = this.#db.transaction((): ClaimRunResult => {
      const existing = this.#stmt.runByClientMessage.get(run.userId, run.clientMessageId);
      if (existing) return { created: false, run: runFromRow(existing) };
      this.#stmt.insertRun.run(run.runId, run.userId, run.threadId, run.agentName, run.clientMessageId, run.status, run.createdAt, run.nodeId);
      this.#stmt.touchThread.run(run.createdAt, run.threadId);
      return { created: true, run: { ...run } };
    });
    return Promise.resolve(claim.immediate());
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    // Reads see every append issued before them.
    this.#flush();
    const row = this.#stmt.getRun.get(runId);
    return Promise.resolve(row ? runFromRow(row) : undefined);
  }

  runByClientMessage(userId: string, clientMessageId: string): Promise<RunRecord | undefined> {
    const row = this.#stmt.runByClientMessage.get(userId, clientMessageId);
    return Promise.resolve(row ? runFromRow(row) : undefined);
  }

  setRunStatus(runId: string, status: RunStatus): Promise<void> {
    this.#flush();
    this.#stmt.setRunStatus.run(status, runId);
    this.#runs.delete(runId);
    return Promise.resolve();
  }

  unfinishedRuns(nodeId: string): Promise<RunRecord[]> {
    // Reads see every append issued before them.
    this.#flush();
    return Promise.resolve(this.#stmt.unfinished.all(nodeId).map(runFromRow));
  }

  prune(now: number): Promise<number> {
    // Reads see every append issued before them.
    this.#flush();
    const cutoff = now - this.#retention.maxAgeMs;
    return Promise.resolve(this.#pruneTx(cutoff));
  }

  /** Open, and its log is being checkpointed (a failing checkpoint lets the WAL grow without bound). */
  healthy(): Promise<boolean> {
    return Promise.resolve(this.#db.open && this.#checkpointer?.lastError === undefined);
  }

  async close(): Promise<void> {
    if (this.#db.open) {
      this.#flush();
      this.#db.close();
    }
    await this.#checkpointer?.close();
    // Last: the next holder may open the file as soon as this is released.
    this.#lock?.release();
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
