/**
 * One process per SQLite store file. Two servers on one file each keep their own cache of every
 * user's head seq, so the second one's appends collide with the first one's (UNIQUE (user, seq))
 * and its runs fail with "append failed" and no terminal event. The store therefore holds an
 * exclusive lock on a file beside the database (`<db>.lock`) for as long as it is open.
 *
 * Why this lock and not another:
 * - It is an OS lock (SQLite's POSIX advisory lock on the lock file, held by an open EXCLUSIVE
 *   transaction), so the kernel drops it when the holder dies, even by SIGKILL: a killed
 *   server's successor starts at once. A pid file alone would need a stale-pid guess.
 * - It is not `locking_mode=EXCLUSIVE` on the database itself: that would also shut out the
 *   checkpoint worker's connection, and WAL checkpoints would stop.
 * - SQLite tracks its locks per file within a process too, so a second store opened on the same
 *   file by this very process is refused as well.
 *
 * The lock file holds no data. Who holds it is written into the database (meta `holder`), where
 * a refused process can read it (WAL readers never wait for the writer) and name the holder.
 */
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';

/** Who holds a store file, as written in its meta table. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export function lockPathOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

export class SqliteFileLock {
  readonly path: string;
  readonly #db: Database.Database;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
  }

  /**
   * Takes the lock of `dbPath` without waiting; STORE_LOCKED naming the file and the holder
   * (read from the database, when it can be) if another store has it.
   */
  static acquire(dbPath: string): SqliteFileLock {
    const path = lockPathOf(dbPath);
    const db = new Database(path);
    try {
      // Fail at once instead of waiting: the holder keeps the lock for as long as it runs.
      db.pragma('busy_timeout = 0');
      // Nothing is ever written: no rollback journal beside the lock file.
      db.pragma('journal_mode = OFF');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if (!isBusy(error)) throw error;
      throw new AgentwireError(InternalErrorCode.STORE_LOCKED, inUseMessage(dbPath, readHolder(dbPath)), { cause: error });
    }
    return new SqliteFileLock(path, db);
  }

  /** What this process writes into the database once it holds the lock. */
  static holder(): LockHolder {
    return { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  }

  get held(): boolean {
    return this.#db.open;
  }

  /** Gives the lock up (closing the connection rolls the transaction back and unlocks). */
  release(): void {
    if (this.#db.open) this.#db.close();
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** The holder recorded in the database, or undefined when it cannot be read (never fatal). */
function readHolder(dbPath: string): LockHolder | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'holder'").get();
    return row ? (JSON.parse(row.value) as LockHolder) : undefined;
  } catch {
    // The refusal below stands without the holder's name; the message says it is unknown.
    return undefined;
  } finally {
    db?.close();
  }
}

function inUseMessage(dbPath: string, holder: LockHolder | undefined): string {
  const who =
    holder === undefined
      ? 'another process (its pid could not be read)'
      : holder.pid === process.pid && holder.host === hostname()
        ? `this process (pid ${holder.pid}), which already has it open`
        : `another process: pid ${holder.pid} on ${holder.host}, since ${holder.since}`;
  return (
    `SQLite store ${dbPath} is in use by ${who}. One file serves one server: stop that process, ` +
    `or give this one its own file (AGENTWIRE_STORE=sqlite:PATH); several nodes share a Redis store.`
  );
}
