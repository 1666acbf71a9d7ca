import type { FileFacts, Interest } from '../facts/file-facts.js';
import type { SourceFile } from '../files/source-file.js';

/** What the scan and its extraction workers say to each other; all of it is structured-clone data. */

export interface WorkerSetup {
  readonly interest: Interest;
}

export interface ExtractJob {
  /** The scan's own number for the job; results come back under it. */
  readonly id: number;
  readonly file: SourceFile;
}

/** Main thread → worker. */
export interface ExtractRequest {
  readonly type: 'extract';
  readonly jobs: readonly ExtractJob[];
}

export interface ExtractedFile {
  readonly id: number;
  readonly facts: FileFacts;
}

/** Worker → main thread. */
export type WorkerReply =
  /** Modules and grammars are loaded; the worker takes jobs from now on. */
  | { readonly type: 'ready' }
  | { readonly type: 'extracted'; readonly results: readonly ExtractedFile[] }
  | { readonly type: 'failed'; readonly id: number; readonly message: string; readonly stack: string | undefined };
