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
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { CheckpointCommand, CheckpointReport, CheckpointWorkerData } from './sqlite-checkpoint-worker.js';

/** A failure of the checkpoint thread: each one is reported, none is dropped. */
export interface CheckpointFailure {
  /**
   * `open`: the thread could not open the file (no checkpoints until restart); `checkpoint`: a
   * periodic one (retried at the next tick); `final`: the one at close; `thread`: the thread died.
   */
  phase: 'open' | 'checkpoint' | 'final' | 'thread';
  error: string;
  /** A periodic failure after a success, or any other: the moment worth a log line (every one is counted). */
  first: boolean;
}

/**
 * Starts the thread from the built module next to this one; from the TypeScript sources (tests,
 * `--conditions=agentwire-source`), the thread compiles them with tsx as the main thread does.
 * The built package never takes that path (the same scheme as ssot's extraction workers).
 */
function startWorker(workerData: CheckpointWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./sqlite-checkpoint-worker.js', here), { workerData });
  const tsxApi = createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const entry = new URL('./sqlite-checkpoint-worker.ts', here).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData });
}

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
  readonly #onFailure: (failure: CheckpointFailure) => void;
  #closed: Promise<void> | undefined;

  /** The last checkpoint's failure, cleared by the next success. */
  lastError: string | undefined;

  constructor(path: string, options: CheckpointOptions = {}, onFailure: (failure: CheckpointFailure) => void = warn) {
    this.#onFailure = onFailure;
    this.#worker = startWorker({ path, ...checkpointSettings(options) });
    this.#worker.unref();
    this.#worker.on('message', (message: CheckpointReport) => {
      if (message.kind === 'ok') this.lastError = undefined;
      else if (message.kind === 'failed') this.#failed(message.phase, message.error);
    });
    this.#worker.on('error', (error) => {
      this.#failed('thread', error.message || String(error));
    });
  }

  #failed(phase: CheckpointFailure['phase'], error: string): void {
    const first = phase !== 'checkpoint' || this.lastError === undefined;
    this.lastError = error;
    this.#onFailure({ phase, error, first });
  }

  /** Checkpoints what is left, then stops the worker. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#worker.on('message', (message: CheckpointReport) => {
        if (message.kind === 'closed') void this.#worker.terminate().then(() => resolve());
      });
      this.#worker.once('exit', () => resolve());
      const command: CheckpointCommand = 'close';
      this.#worker.postMessage(command);
    });
    return this.#closed;
  }
}

/** Without a reporter (a store built by hand), failures still reach stderr. */
function warn(failure: CheckpointFailure): void {
  if (failure.first) process.emitWarning(`SQLite checkpoint failed (${failure.phase}): ${failure.error}`, 'AgentwireWarning');
}
