import { availableParallelism } from 'node:os';
import type { FileFacts } from '../facts/file-facts.js';
import { STRING_REFERENCE_NEEDLES, stringReferences } from '../facts/string-references.js';
import { FileReader } from '../files/file-reader.js';
import type { SourceFile } from '../files/source-file.js';
import { ExtractionPool } from '../parse/extraction-pool.js';
import { secondaryLimit, type PrefilterTerms } from './prefilter.js';
import type { Project } from './project.js';
import { mark } from '../timing.js';
import { prepareTextOrder } from './text-order.js';

export type Scope = 'concept' | 'tree';

export interface ScanOptions {
  readonly scope: Scope;
  readonly terms: PrefilterTerms;
  /**
   * Worker threads that parse. Unset: one per core (`os.availableParallelism()`), started only
   * when there is enough to parse to repay their start-up, with the main thread parsing too (on
   * libuv's thread pool, several files at a time, while it extracts the parsed ones). A
   * number forces that many, started at once, the main thread only handing out files (0: the
   * main thread parses alone). Results never depend on it.
   */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ScanStats {
  /** Files considered: every file was read (default scope) or parsed (`--scope tree`). */
  readonly files: number;
  readonly parsed: number;
  /** Role words too common to select files by, with the number of files containing them. */
  readonly commonWords: readonly { readonly word: string; readonly files: number }[];
}

/**
 * With the default worker count, threads start once this much source is queued for parsing
 * (≈ 0.6 s of parsing and extraction): below it the main thread, parsing on libuv's thread
 * pool, keeps both cores busy without paying for a worker's start-up.
 */
const THREADS_AFTER_BYTES = 4 << 20;
/** … or, in `--scope tree` (where sizes are not read up front), when the tree has this many files. */
const THREADS_AFTER_FILES = 100;
/**
 * Files the main thread keeps parsing on libuv's thread pool while it extracts (default worker
 * count only): parsing, most of the work, then runs on every core from the first file on,
 * without a worker's start-up.
 */
const MAIN_THREAD_PARSES = 4;
/** Files read between two chances for the workers' replies to come in. */
const READS_PER_BREATH = 64;

/**
 * Reads every file once and parses the ones that can matter, on worker threads and the main
 * thread (ExtractionPool). Files that only contain a role word wait until the read is done: if
 * the word turns out to be common, they are not parsed at all.
 */
export async function scanTree(project: Project, options: ScanOptions): Promise<ScanStats> {
  const files = project.files;
  let parsed = 0;
  const twins = new Twins((file, facts) => {
    project.setScanned(file, facts);
    parsed += 1;
  });
  const onFacts = (file: SourceFile, facts: FileFacts): void => {
    twins.extracted(file, facts);
    if (options.scope === 'tree') options.onProgress?.(parsed, files.length);
  };
  const forced = options.workers !== undefined;
  const pool = new ExtractionPool({ interest: project.interest, threads: options.workers ?? availableParallelism(), mainThreadWorks: !forced, mainThreadParses: forced ? 0 : MAIN_THREAD_PARSES, onFacts });
  try {
    let commonWords: ScanStats['commonWords'] = [];
    if (options.scope === 'tree') {
      for (const file of files) pool.submit(file);
      if (forced || files.length >= THREADS_AFTER_FILES) pool.start();
    } else {
      commonWords = await selectFiles(project, options, pool, forced, twins);
      mark(`read and prefiltered; workers ${pool.started ? 'started' : 'not started'}`);
    }
    // The main thread's first parses are under way: a good moment for this.
    prepareTextOrder();
    await pool.drain();
    return { files: files.length, parsed, commonWords };
  } finally {
    // Not awaited: the workers tear down (their heaps, their last trees) on their own threads
    // while this one goes on with the analysis.
    void pool.close();
  }
}

/**
 * Default scope: reads every file and queues those whose bytes contain a primary term; then
 * those with a role word, unless the word is common. Synchronous reads into one buffer cost a
 * fraction of fs/promises; the text is decoded only by the thread that parses the file.
 */
async function selectFiles(project: Project, options: ScanOptions, pool: ExtractionPool, forced: boolean, twins: Twins): Promise<ScanStats['commonWords']> {
  const primary = options.terms.primary.map((term) => Buffer.from(term, 'utf8'));
  const secondary = options.terms.secondary.map((term) => ({ word: term, needle: Buffer.from(term, 'utf8'), files: [] as SourceFile[] }));
  const files = project.files;
  const needles = {
    python: STRING_REFERENCE_NEEDLES.python.map((needle) => Buffer.from(needle, 'utf8')),
    ts: STRING_REFERENCE_NEEDLES.ts.map((needle) => Buffer.from(needle, 'utf8')),
  };
  const reader = new FileReader();
  let queuedBytes = 0;
  /** Files with a role word only, and their bytes, until the word is known not to be common. */
  const candidates = new Map<SourceFile, Buffer>();
  if (forced) pool.start();
  for (let index = 0; index < files.length; index += 1) {
    const file = files[index] as SourceFile;
    const buffer = reader.read(file.path);
    if (needles[file.family].some((needle) => buffer.includes(needle))) project.setStringReferences(file, stringReferences(buffer.toString('utf8'), file.family === 'python'));
    if (primary.some((needle) => buffer.includes(needle))) {
      if (twins.isTwin(file, buffer)) continue;
      pool.submit(file, buffer.length);
      queuedBytes += buffer.length;
      if (queuedBytes >= THREADS_AFTER_BYTES) pool.start();
      pool.pump();
    } else {
      let found = false;
      for (const term of secondary) {
        if (!buffer.includes(term.needle)) continue;
        term.files.push(file);
        found = true;
      }
      if (found) candidates.set(file, Buffer.from(buffer));
    }
    options.onProgress?.(index + 1, files.length);
    if (pool.started && (index + 1) % READS_PER_BREATH === 0) await pool.breathe();
  }
  const limit = secondaryLimit(files.length);
  const deferred = new Set(secondary.filter((term) => term.files.length <= limit).flatMap((term) => term.files));
  for (const file of deferred) {
    const bytes = candidates.get(file) as Buffer;
    if (!twins.isTwin(file, bytes)) pool.submit(file, bytes.length);
  }
  pool.largestFirst();
  return secondary.filter((term) => term.files.length > limit).map((term) => ({ word: term.word, files: term.files.length }));
}

/**
 * Files with the same bytes and the same grammar (a package installed twice under
 * node_modules, a vendored copy) have the same facts: extraction depends on the text, the
 * grammar and whether the file is a declaration file, never on the path. The first such file is
 * parsed; the others are read, compared byte for byte and given its facts.
 */
class Twins {
  readonly #record: (file: SourceFile, facts: FileFacts) => void;
  /** Queued files by grammar, declaration-ness and size, with a copy of their bytes. */
  readonly #bySize = new Map<string, { readonly file: SourceFile; readonly bytes: Buffer }[]>();
  readonly #twins = new Map<SourceFile, SourceFile[]>();
  readonly #facts = new Map<SourceFile, FileFacts>();

  /** `record` files each file, twins included, with its facts. */
  constructor(record: (file: SourceFile, facts: FileFacts) => void) {
    this.#record = record;
  }

  /** True when an already queued file has these bytes (the file is then recorded as its twin); false queues it as new. */
  isTwin(file: SourceFile, bytes: Buffer): boolean {
    const key = `${file.grammar}\0${String(file.declarationOnly)}\0${bytes.length}`;
    let group = this.#bySize.get(key);
    if (group === undefined) {
      group = [];
      this.#bySize.set(key, group);
    }
    const same = group.find((queued) => queued.bytes.equals(bytes));
    if (same === undefined) {
      group.push({ file, bytes: Buffer.from(bytes) });
      return false;
    }
    const facts = this.#facts.get(same.file);
    if (facts !== undefined) {
      this.#record(file, facts);
      return true;
    }
    let twins = this.#twins.get(same.file);
    if (twins === undefined) {
      twins = [];
      this.#twins.set(same.file, twins);
    }
    twins.push(file);
    return true;
  }

  /** Files a parsed file's facts, and its twins found so far; twins found later get them at once. */
  extracted(file: SourceFile, facts: FileFacts): void {
    this.#record(file, facts);
    // `--scope tree` reads no bytes up front, so it has no twins to look for.
    if (this.#bySize.size === 0) return;
    this.#facts.set(file, facts);
    for (const twin of this.#twins.get(file) ?? []) this.#record(twin, facts);
    this.#twins.delete(file);
  }
}
