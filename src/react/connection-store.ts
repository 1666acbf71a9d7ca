/**
 * The connection as a status line shows it: the client's state, when the next reconnect attempt
 * is due (for a countdown), and how the last resume went. An external store, like ThreadStore.
 */
import type { AgentwireClient, ClientState } from '../client/index.js';

export interface ConnectionStatus {
  state: ClientState;
  /** While reconnecting: the attempt number and when it starts (epoch ms). */
  reconnect: { attempt: number; at: number; delayMs: number; reason?: string } | undefined;
  /** The last resume: how many events it caught up, whether it could, and when (epoch ms). */
  resumed: { replayed: number; recovered: boolean; at: number } | undefined;
  /** The user the server says this connection belongs to. */
  userId: string | undefined;
}

const stores = new WeakMap<AgentwireClient, ConnectionStore>();

export function connectionStore(client: AgentwireClient): ConnectionStore {
  let store = stores.get(client);
  if (!store) {
    store = new ConnectionStore(client);
    stores.set(client, store);
  }
  return store;
}

export class ConnectionStore {
  readonly #client: AgentwireClient;
  #snapshot: ConnectionStatus;
  readonly #listeners = new Set<() => void>();
  #unlisten: (() => void)[] = [];

  constructor(client: AgentwireClient) {
    this.#client = client;
    this.#snapshot = { state: client.state, reconnect: undefined, resumed: undefined, userId: client.connection?.userId };
  }

  readonly getSnapshot = (): ConnectionStatus => this.#snapshot;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  };

  #start(): void {
    const client = this.#client;
    this.#unlisten = [
      client.on('state', ({ to }) => {
        this.#set({ state: to, ...(to === 'reconnecting' ? {} : { reconnect: undefined }) });
      }),
      client.on('reconnecting', ({ attempt, at, delayMs, reason }) => {
        this.#set({ reconnect: { attempt, at, delayMs, ...(reason === undefined ? {} : { reason }) } });
      }),
      client.on('connected', ({ userId }) => {
        this.#set({ userId });
      }),
      client.on('resumed', ({ replayed, recovered }) => {
        this.#set({ resumed: { replayed, recovered, at: Date.now() } });
      }),
    ];
    // The client may have moved on while nobody was listening.
    this.#set({ state: client.state, userId: client.connection?.userId });
  }

  #stop(): void {
    for (const unlisten of this.#unlisten) unlisten();
    this.#unlisten = [];
  }

  #set(patch: Partial<ConnectionStatus>): void {
    const next = { ...this.#snapshot, ...patch };
    if ((Object.keys(next) as (keyof ConnectionStatus)[]).every((key) => next[key] === this.#snapshot[key])) return;
    this.#snapshot = next;
    for (const listener of [...this.#listeners]) listener();
  }
}
