import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { FileFacts, Interest } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';
import { extractFile, extractParsed, parseFileAsync, type ParsedFile } from './extract-file.js';
import type { ExtractRequest, WorkerReply, WorkerSetup } from './extraction-messages.js';
import { releaseParseTrees } from './release-trees.js';

/** Files per message to a worker: enough to make messaging cheap, few enough to balance the load. */
const CHUNK_FILES = 8;
/** … and, when sizes are known, source bytes after which a chunk ends early, so large files spread over the threads. */
const CHUNK_BYTES = 128 << 10;
/** Chunks a worker holds at once, so it never waits for the main thread to hand out the next. */
const CHUNKS_IN_FLIGHT = 2;
/**
 * Working alone, the main thread collects (see releaseParseTrees) once per this many characters
 * parsed, not after every file: fewer scavenges, at most ~30 MB of dead trees. Beside workers
 * (a large run) it collects after every file, as they do after every chunk.
 */
const RELEASE_CHARS = 1 << 20;

export interface ExtractionPoolOptions {
  readonly interest: Interest;
  /** Worker threads to start when asked to (`start()`); 0 keeps all parsing on the main thread. */
  readonly threads: number;
  /**
   * Whether the main thread also takes files while workers run (default true). False leaves
   * parsing to the workers once they are started, so a forced worker count means what it says.
   */
  readonly mainThreadWorks?: boolean;
  /**
   * Files the main thread keeps parsing at once on libuv's thread pool while it extracts the
   * ones already parsed (default 0: it parses each file itself, synchronously).
   */
  readonly mainThreadParses?: number;
  readonly onFacts: (file: SourceFile, facts: FileFacts) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  chunks: number;
}

/**
 * Parses and extracts files on worker threads and on the main thread. Tree-sitter parsing and
 * ast-grep matching are synchronous native calls, so one thread can only use one core; each
 * worker loads its own parser, takes files in chunks and sends back plain facts. The main
 * thread takes one file at a time from the same queue while it waits, so it works from the first
 * file on (a worker needs ~50–150 ms to load its modules) and nothing changes with the number of
 * threads except the time: facts depend on the file alone, and the caller files them by path.
 */
export class ExtractionPool {
  readonly #options: ExtractionPoolOptions;
  readonly #jobs: SourceFile[] = [];
  /** Bytes of each job when the caller knew them (-1: unknown). */
  readonly #sizes: number[] = [];
  /** The main thread's files parsing on the thread pool. */
  readonly #parsing: { readonly id: number; readonly parsed: Promise<ParsedFile> }[] = [];
  readonly #queue: number[] = [];
  #head = 0;
  #outstanding = 0;
  readonly #slots: Slot[] = [];
  #failure: Error | null = null;
  #wake: (() => void) | null = null;
  #byWorkers = 0;
  #released = 0;

  constructor(options: ExtractionPoolOptions) {
    this.#options = options;
  }

  get started(): boolean {
    return this.#slots.length > 0;
  }

  /** Files extracted by worker threads so far (the rest by the main thread). */
  get filesByWorkers(): number {
    return this.#byWorkers;
  }

  /** Queues a file (with its size in bytes, when known); it is extracted by whichever thread gets to it first. */
  submit(file: SourceFile, size = -1): void {
    this.#queue.push(this.#jobs.push(file) - 1);
    this.#sizes.push(size);
    this.#outstanding += 1;
  }

  /**
   * Puts the files not yet handed out in order of size, largest first: a large file taken
   * last would keep one thread busy while the others have nothing left to do.
   */
  largestFirst(): void {
    const rest = this.#queue.slice(this.#head);
    rest.sort((a, b) => (this.#sizes[b] as number) - (this.#sizes[a] as number) || a - b);
    this.#queue.splice(this.#head, rest.length, ...rest);
  }

  /** Hands queued files to idle workers and starts the main thread's parses on the thread pool; never blocks. */
  pump(): void {
    this.#dispatch();
    this.#startMainParses();
  }

  /** Starts the worker threads (once); they join the work as soon as each has loaded. */
  start(): void {
    if (this.started || this.#options.threads <= 0) return;
    const setup: WorkerSetup = { interest: this.#options.interest };
    for (let index = 0; index < this.#options.threads; index += 1) this.#slots.push(this.#spawn(setup));
  }

  /** Hands queued files to idle workers and lets their replies in; call it now and then during long synchronous work. */
  async breathe(): Promise<void> {
    this.#dispatch();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Extracts everything queued, the main thread included, and returns when all facts are in. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.#failure !== null) throw this.#failure;
      this.#dispatch();
      this.#startMainParses();
      if (this.#parsing.length > 0) {
        // The first file parsed, whichever it is, so the main thread extracts while the rest parse.
        // While this waits, worker replies come in and the workers get their next chunks.
        const parsing = await Promise.race(this.#parsing.map((entry) => entry.parsed.then(() => entry, () => entry)));
        this.#parsing.splice(this.#parsing.indexOf(parsing), 1);
        const parsed = await parsing.parsed;
        this.#finish(parsing.id, extractParsed(parsed, this.#options.interest));
        this.#released += parsed.text.length;
        if (this.#released >= (this.started ? 0 : RELEASE_CHARS)) {
          this.#released = 0;
          releaseParseTrees();
        }
        continue;
      }
      if (this.#head < this.#queue.length && this.#mainThreadWorks()) {
        const id = this.#queue[this.#head] as number;
        this.#head += 1;
        this.#finish(id, extractFile(this.#jobs[id] as SourceFile, this.#options.interest));
        // Back to the event loop after every file: worker replies come in so the workers get their
        // next chunks in time, and the parse tree is freed (see releaseParseTrees).
        releaseParseTrees();
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (this.#outstanding === 0) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Stops the worker threads; the pool cannot be used afterwards. */
  async close(): Promise<void> {
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #mainThreadWorks(): boolean {
    return this.#options.mainThreadWorks !== false || !this.started;
  }

  #startMainParses(): void {
    // Once workers run, one file at a time is enough to keep the main thread busy, and keeps
    // fewer large trees alive at once.
    const configured = this.#options.mainThreadParses ?? 0;
    const limit = this.started ? Math.min(configured, 1) : configured;
    while (this.#parsing.length < limit && this.#head < this.#queue.length && this.#mainThreadWorks()) {
      const id = this.#queue[this.#head] as number;
      this.#head += 1;
      const parsed = parseFileAsync(this.#jobs[id] as SourceFile);
      // A failure surfaces when drain awaits this file; until then it is not unhandled.
      parsed.catch(() => undefined);
      this.#parsing.push({ id, parsed });
    }
  }

  #finish(id: number, facts: FileFacts): void {
    this.#outstanding -= 1;
    this.#options.onFacts(this.#jobs[id] as SourceFile, facts);
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      while (slot.ready && slot.chunks < CHUNKS_IN_FLIGHT && this.#head < this.#queue.length) {
        const ids: number[] = [];
        let bytes = 0;
        while (ids.length < CHUNK_FILES && bytes < CHUNK_BYTES && this.#head < this.#queue.length) {
          const id = this.#queue[this.#head] as number;
          this.#head += 1;
          ids.push(id);
          bytes += Math.max(0, this.#sizes[id] as number);
        }
        slot.chunks += 1;
        const request: ExtractRequest = { type: 'extract', jobs: ids.map((id) => ({ id, file: this.#jobs[id] as SourceFile })) };
        slot.worker.postMessage(request);
      }
    }
  }

  #spawn(setup: WorkerSetup): Slot {
    const slot: Slot = { worker: startWorker(setup), ready: false, chunks: 0 };
    slot.worker.on('message', (reply: WorkerReply) => this.#onReply(slot, reply));
    slot.worker.on('error', (error) => this.#fail(error));
    slot.worker.on('exit', (code) => {
      if (this.#slots.includes(slot)) this.#fail(new Error(`an extraction worker exited (code ${code}) before the scan was done`));
    });
    return slot;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') slot.ready = true;
    else if (reply.type === 'extracted') {
      slot.chunks -= 1;
      this.#byWorkers += reply.results.length;
      for (const result of reply.results) this.#finish(result.id, result.facts);
    } else {
      const file = this.#jobs[reply.id];
      const error = new Error(`extracting ${file?.rel ?? '?'}: ${reply.message}`);
      if (reply.stack !== undefined) error.stack = `${error.message}\n--- in the worker ---\n${reply.stack}`;
      this.#fail(error);
      return;
    }
    this.#dispatch();
    this.#wakeDrain();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#wakeDrain();
  }

  #wakeDrain(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

function startWorker(setup: WorkerSetup): Worker {
  const here = import.meta.url;
  // Loaded here: a run that parses on the main thread alone never pays the ~8 ms it takes.
  const { Worker } = createRequire(here)('node:worker_threads') as typeof import('node:worker_threads');
  if (!here.endsWith('.ts')) return new Worker(new URL('./extraction-worker.js', here), { workerData: setup });
  // Running from the TypeScript sources (the test suite): the worker compiles them with tsx,
  // as the test runner does for this thread. The built package never takes this path.
  const tsxApi = createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const entry = new URL('./extraction-worker.ts', here).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: setup });
}
