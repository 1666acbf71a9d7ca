/**
 * WAL checkpoints on a worker thread. A checkpoint copies the write-ahead log into the database
 * file and fsyncs it; on the main thread (SQLite's automatic checkpoint, every ~4 MB of log) it
 * stalled every connection for tens to hundreds of milliseconds. Commits themselves do not
 * fsync in WAL mode with synchronous=NORMAL, so with checkpoints elsewhere the event loop only
 * pays for writing the log.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// CommonJS source evaluated in the worker: it has to run both from src/ (tests) and dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); parentPort.postMessage({ ok: true }); }
  catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {}
  db.close();
  parentPort.postMessage({ closed: true });
});
`;

export class SqliteCheckpointer {
  readonly #worker: Worker;
  #closed: Promise<void> | undefined;

  /** The last checkpoint's failure, cleared by the next success. */
  lastError: string | undefined;

  constructor(path: string, everyMs = 1000) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, everyMs } });
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
