/**
 * WAL checkpoints on a worker thread. A checkpoint copies the write-ahead log into the database
 * file and fsyncs it; on the main thread (SQLite's automatic checkpoint, every ~4 MB of log) it
 * stalled every connection for tens to hundreds of milliseconds. Commits themselves do not
 * fsync in WAL mode with synchronous=NORMAL, so with checkpoints elsewhere the event loop only
 * pays for writing the log.
 *
 * Under a steady stream of commits a passive checkpoint always finds new frames behind the ones
 * it copied, so the log would never start over and would grow without bound (hundreds of MB a
 * minute at a few thousand events/s). Past a size, the worker catches up and restarts the log,
 * and journal_size_limit cuts the file back.
 */
import { createRequire } from 'node:module';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import { Worker } from 'node:worker_threads';

// CommonJS source evaluated in the worker: it has to run both from src/ (tests) and dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
// The connection that restarts the log is the one whose limit cuts the file back.
db.pragma('journal_size_limit = ' + workerData.restartFrames * db.pragma('page_size', { simple: true }));
const passive = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
const timer = setInterval(() => {
  try {
    let { log, checkpointed } = passive();
    if (log >= workerData.restartFrames) {
      // A passive checkpoint never resets a log that is written to all the time: catch up, then
      // restart it while only a few frames are left to copy, the one moment writers wait.
      for (let pass = 0; pass < 8 && log - checkpointed > workerData.gapFrames; pass += 1) ({ log, checkpointed } = passive());
      // Writers that outrun the copy still meet a bound: at 4 × the size, restart all the same.
      if (log - checkpointed <= workerData.gapFrames || log >= 4 * workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
    }
    parentPort.postMessage({ ok: true });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {}
  db.close();
  parentPort.postMessage({ closed: true });
});
`;
export interface CheckpointOptions {
  /** How often the log is checkpointed. */
  everyMs?: number;
  /** Log frames (pages) past which the log is restarted from its beginning: 8192 × 4 KiB = 32 MiB. */
  restartFrames?: number;
  /** Frames left uncopied at most when the restart is done (what writers wait for), unless the log is past 4 × restartFrames. */
  gapFrames?: number;
}

/** The options with their defaults; a CONFIG error for anything but positive integers. */
export function checkpointSettings(options: CheckpointOptions = {}): Required<CheckpointOptions> {
  const settings = { everyMs: 1000, restartFrames: 8192, gapFrames: 64, ...options };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new AgentwireError(InternalErrorCode.CONFIG, `checkpoint.${name} must be a positive integer, not ${String(value)}`);
  }
  return settings;
}

export class SqliteCheckpointer {
  readonly #worker: Worker;
  #closed: Promise<void> | undefined;

  /** The last checkpoint's failure, cleared by the next success. */
  lastError: string | undefined;

  constructor(path: string, options: CheckpointOptions = {}) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const { everyMs, restartFrames, gapFrames } = checkpointSettings(options);
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, everyMs, restartFrames, gapFrames } });
    this.#worker.unref();
    this.#worker.on('message', (message: { error?: string; ok?: boolean }) => {
      if (message.error !== undefined) this.lastError = message.error;
      else if (message.ok) this.lastError = undefined;
    });
    this.#worker.on('error', (error) => {
      this.lastError = error.message;
    });
  }

  /** Checkpoints what is left, then stops the worker. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#worker.once('message', () => {
        void this.#worker.terminate().then(() => resolve());
      });
      this.#worker.once('exit', () => resolve());
      this.#worker.postMessage('close');
    });
    return this.#closed;
  }
}
