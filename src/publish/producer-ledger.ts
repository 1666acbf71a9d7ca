/**
 * Where each run's producer position is kept: which producer owns the run (the first to
 * append), the last batch it had accepted, and the answer it got, so that a retried batch gets
 * the same answer, after a restart too. Memory for tests and the memory store; SQLite beside
 * the SQLite store (the same file, its own table). With Redis the ledger is per node (memory):
 * docs/remote-agents.md says what that means.
 */
import Database from 'better-sqlite3';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';

export interface ProducerState {
  producerId: string;
  /** The last batch accepted. */
  producerSeq: number;
  /** The JSON answer that batch got. */
  answer: string;
}

export interface ProducerLedger {
  get(runId: string): Promise<ProducerState | undefined>;
  set(runId: string, state: ProducerState): Promise<void>;
  close(): Promise<void>;
}

export class MemoryProducerLedger implements ProducerLedger {
  readonly #states = new Map<string, ProducerState>();

  get(runId: string): Promise<ProducerState | undefined> {
    return Promise.resolve(this.#states.get(runId));
  }

  set(runId: string, state: ProducerState): Promise<void> {
    this.#states.set(runId, state);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Row {
  producer_id: string;
  producer_seq: number;
  answer: string;
}

export class SqliteProducerLedger implements ProducerLedger {
  readonly #db: Database.Database;
  readonly #select: Database.Statement<[string], Row>;
  readonly #upsert: Database.Statement<[string, string, number, string, number]>;

  constructor(path: string) {
    try {
      // A second connection to the store's file: WAL lets it write beside the store's own.
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec('CREATE TABLE IF NOT EXISTS publish_producers (run_id TEXT PRIMARY KEY, producer_id TEXT NOT NULL, producer_seq INTEGER NOT NULL, answer TEXT NOT NULL, updated_at INTEGER NOT NULL)');
    } catch (error) {
      throw new AgentwireError(InternalErrorCode.STORE, `cannot open the producer ledger at ${path}`, { cause: error });
    }
    this.#select = this.#db.prepare('SELECT producer_id, producer_seq, answer FROM publish_producers WHERE run_id = ?');
    this.#upsert = this.#db.prepare(
      'INSERT INTO publish_producers (run_id, producer_id, producer_seq, answer, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET producer_id = excluded.producer_id, producer_seq = excluded.producer_seq, answer = excluded.answer, updated_at = excluded.updated_at',
    );
  }

  get(runId: string): Promise<ProducerState | undefined> {
    const row = this.#select.get(runId);
    return Promise.resolve(row ? { producerId: row.producer_id, producerSeq: row.producer_seq, answer: row.answer } : undefined);
  }

  set(runId: string, state: ProducerState): Promise<void> {
    this.#upsert.run(runId, state.producerId, state.producerSeq, state.answer, Date.now());
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}

/** The ledger that fits a store setting: SQLite beside `sqlite:PATH`, memory otherwise. */
export function openProducerLedger(storeSetting: string): ProducerLedger {
  if (storeSetting.startsWith('sqlite:')) {
    const path = storeSetting.slice('sqlite:'.length);
    if (path !== '' && path !== ':memory:') return new SqliteProducerLedger(path);
  }
  return new MemoryProducerLedger();
}
