/**
 * A live thread: its history over HTTP, merged with the client's live events, as an external
 * store (subscribe + getSnapshot) that React's useSyncExternalStore or any other framework can
 * read. No React in here.
 *
 * Order of operations matters: the store listens to live events *before* it fetches the
 * history, so an event is either in the history response, or arrives live after the listener
 * was added, or both; the reducer drops the second copy. Nothing falls in between.
 */
import type { AgentEvent, AgentwireClient } from '../client/index.js';
import { addEvents, addLocalRun, emptyThread, type ThreadState } from './thread-state.js';

export interface ThreadSnapshot extends ThreadState {
  /** The history request is in flight (the snapshot may already hold live events). */
  loading: boolean;
  /** The last history request failed. */
  error: Error | undefined;
  /** Messages sent from here that the server has not accepted yet. */
  sending: readonly { id: string; text: string }[];
}

interface LocalRun {
  runId: string;
  threadId: string;
  text: string;
}

/**
 * Runs sent from this page, per client: the text the user typed, shown before the run's
 * agent_started arrives, shared by every thread store so the text survives a switch from the
 * "new thread" view to the thread the server created.
 */
class LocalRuns {
  readonly runs: LocalRun[] = [];
  readonly #listeners = new Set<(run: LocalRun) => void>();

  add(run: LocalRun): void {
    this.runs.push(run);
    if (this.runs.length > 500) this.runs.shift();
    for (const listener of [...this.#listeners]) listener(run);
  }

  on(listener: (run: LocalRun) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const MAX_CACHED_STORES = 32;
const caches = new WeakMap<AgentwireClient, { local: LocalRuns; stores: Map<string, ThreadStore> }>();

function cacheOf(client: AgentwireClient): { local: LocalRuns; stores: Map<string, ThreadStore> } {
  let cache = caches.get(client);
  if (!cache) {
    cache = { local: new LocalRuns(), stores: new Map() };
    caches.set(client, cache);
  }
  return cache;
}

/**
 * The store of one thread of one client; the same object for the same pair, so switching back
 * to a thread shows what it held at once while the history is fetched again.
 * `threadId` undefined is the draft of a new thread: sending there creates the thread.
 */
export function threadStore(client: AgentwireClient, threadId: string | undefined): ThreadStore {
  const cache = cacheOf(client);
  const key = threadId ?? '';
  let store = cache.stores.get(key);
  if (store) {
    // Refresh its place in the LRU order.
    cache.stores.delete(key);
  } else {
    store = new ThreadStore(client, threadId, cache.local);
  }
  cache.stores.set(key, store);
  for (const [oldKey, old] of cache.stores) {
    if (cache.stores.size <= MAX_CACHED_STORES) break;
    if (!old.active) cache.stores.delete(oldKey);
  }
  return store;
}

export class ThreadStore {
  readonly threadId: string | undefined;
  readonly #client: AgentwireClient;
  readonly #local: LocalRuns;
  #snapshot: ThreadSnapshot;
  readonly #listeners = new Set<() => void>();
  #unlisten: (() => void)[] = [];
  /** Identifies the latest history request: a response to an older one is ignored. */
  #fetchId = 0;
  #sendId = 0;

  constructor(client: AgentwireClient, threadId: string | undefined, local: LocalRuns) {
    this.#client = client;
    this.threadId = threadId;
    this.#local = local;
    this.#snapshot = { ...local.runs.reduce(addLocalRun, emptyThread(threadId)), loading: false, error: undefined, sending: [] };
  }

  get active(): boolean {
    return this.#listeners.size > 0;
  }

  readonly getSnapshot = (): ThreadSnapshot => this.#snapshot;

  /** The first listener starts live updates and a history fetch; the last one stops them. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  };

  /** Sends a message in this thread (or, for the draft, in a new one). */
  async send(text: string, options: { agent?: string } = {}): Promise<{ runId: string; threadId: string }> {
    const id = `s${++this.#sendId}`;
    this.#set({ sending: [...this.#snapshot.sending, { id, text }] });
    try {
      const accepted = await this.#client.send(text, { ...options, ...(this.threadId === undefined ? {} : { threadId: this.threadId }) });
      this.#local.add({ ...accepted, text });
      return accepted;
    } finally {
      this.#set({ sending: this.#snapshot.sending.filter((s) => s.id !== id) });
    }
  }

  /** Fetches the thread's history again and merges it. */
  reload(): void {
    void this.#fetchHistory();
  }

  #start(): void {
    this.#unlisten = [
      this.#client.on('event', (event) => {
        this.#merge([event]);
      }),
      this.#client.on('unrecovered', ({ epochChanged }) => {
        // Events were lost to retention, or the store started over (its seqs mean something
        // else now, so what we hold goes): the history is the truth.
        if (epochChanged) this.#set(this.#withLocalRuns(emptyThread(this.threadId)));
        void this.#fetchHistory();
      }),
      this.#local.on((run) => {
        this.#setState(addLocalRun(this.#snapshot, run));
      }),
    ];
    this.#setState(this.#withLocalRuns(this.#snapshot));
    void this.#fetchHistory();
  }

  #stop(): void {
    for (const unlisten of this.#unlisten) unlisten();
    this.#unlisten = [];
    this.#fetchId += 1;
    if (this.#snapshot.loading) this.#set({ loading: false });
  }

  async #fetchHistory(): Promise<void> {
    const threadId = this.threadId;
    if (threadId === undefined) return;
    const id = ++this.#fetchId;
    this.#set({ loading: true });
    try {
      const history = await this.#client.history(threadId, { all: true });
      if (id !== this.#fetchId) return;
      this.#set({ ...addEvents(this.#snapshot, history.events), loading: false, error: undefined });
    } catch (error) {
      if (id !== this.#fetchId) return;
      this.#set({ loading: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  #withLocalRuns(state: ThreadState): ThreadState {
    return this.#local.runs.reduce(addLocalRun, state);
  }

  #merge(events: AgentEvent[]): void {
    this.#setState(addEvents(this.#snapshot, events));
  }

  #setState(state: ThreadState): void {
    if (state !== this.#snapshot) this.#set(state);
  }

  #set(patch: Partial<ThreadSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of [...this.#listeners]) listener();
  }
}
