/**
 * The checkpoint thread of a SQLite store (started by sqlite-checkpointer.ts, which explains why
 * checkpoints run here). It has its own connection to the file and reports every outcome to the
 * main thread: nothing it catches is dropped, the store logs and counts each failure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointWorkerData {
  path: string;
  everyMs: number;
  restartFrames: number;
  gapFrames: number;
}

/** What the thread tells the store: each checkpoint's outcome, then that it closed. */
export type CheckpointReport =
  | { kind: 'ok' }
  | { kind: 'failed'; phase: 'open' | 'checkpoint' | 'final'; error: string }
  | { kind: 'closed' };

/** What the store tells the thread. */
export type CheckpointCommand = 'close';

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function open(settings: CheckpointWorkerData): Database.Database {
  const db = new Database(settings.path);
  try {
    db.pragma('busy_timeout = 5000');
    // Reads the file's header: a file that is not the store's WAL database fails here, loudly,
    // instead of every checkpoint quietly doing nothing.
    const mode = db.pragma('journal_mode', { simple: true }) as string;
    if (mode !== 'wal') throw new Error(`${settings.path} is not in WAL mode (journal_mode=${mode}); nothing to checkpoint`);
    // The connection that restarts the log is the one whose limit cuts the file back.
    db.pragma(`journal_size_limit = ${settings.restartFrames * (db.pragma('page_size', { simple: true }) as number)}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function run(port: NonNullable<typeof parentPort>, settings: CheckpointWorkerData): void {
  const report = (message: CheckpointReport): void => {
    port.postMessage(message);
  };
  let db: Database.Database;
  try {
    db = open(settings);
  } catch (error) {
    // Reported as a message: an error thrown out of a thread reaches the store without its text.
    report({ kind: 'failed', phase: 'open', error: describe(error) });
    port.on('message', () => {
      report({ kind: 'closed' });
    });
    return;
  }
  const passive = (): CheckpointResult => (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[])[0] ?? { busy: 0, log: 0, checkpointed: 0 };

  const checkpoint = (): void => {
    let { log, checkpointed } = passive();
    if (log < settings.restartFrames) return;
    // A passive checkpoint never resets a log that is written to all the time: catch up, then
    // restart it while only a few frames are left to copy, the one moment writers wait.
    for (let pass = 0; pass < 8 && log - checkpointed > settings.gapFrames; pass += 1) ({ log, checkpointed } = passive());
    // Writers that outrun the copy still meet a bound: at 4 × the size, restart all the same.
    if (log - checkpointed <= settings.gapFrames || log >= 4 * settings.restartFrames) db.pragma('wal_checkpoint(RESTART)');
  };

  const timer = setInterval(() => {
    try {
      checkpoint();
      report({ kind: 'ok' });
    } catch (error) {
      report({ kind: 'failed', phase: 'checkpoint', error: describe(error) });
    }
  }, settings.everyMs);

  port.on('message', (command: unknown) => {
    if (command !== 'close') return;
    clearInterval(timer);
    try {
      // What is left goes into the database file, so the next start reads a short log.
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      // Nothing is lost (the log stays and is read at the next open), but the store says so.
      report({ kind: 'failed', phase: 'final', error: describe(error) });
    }
    db.close();
    report({ kind: 'closed' });
  });
}

if (parentPort) run(parentPort, workerData as CheckpointWorkerData);
