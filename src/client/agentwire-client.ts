/**
 * AgentwireClient: one connection to an agentwire server that users never see break.
 *
 * Every state change goes through #setState and is announced as a `state` event. Each socket
 * gets a transport id; callbacks of an older socket find their id stale and do nothing, so a
 * late close or message can never disturb the current connection. Events reach the
 * application exactly once and in seq order (Sequencer); every reconnect resumes from the
 * last delivered seq; sends made while offline wait and go out, with the same
 * clientMessageId, once connected.
 */
import { CloseCode } from '../protocol/codes.js';
import { isTerminalType, type AgentEvent } from '../protocol/events.js';
import type { ConnectionEstablished, ErrorMessage, Resumed } from '../protocol/messages.js';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js';
import { randomId } from './client-ids.js';
import { AgentwireClientError } from './client-error.js';
import { HistoryApi, httpBaseFromWsUrl, type ThreadHistory, type ThreadSummary } from './history.js';
import { RunView } from './run-view.js';
import { Sequencer } from './sequencer.js';
import { encodeClientMessage, readServerFrame } from './server-frames.js';
import { TypedEmitter } from './typed-emitter.js';
import { OPEN, resolveToken, type TokenSource, type WebSocketConstructor, type WebSocketLike } from './transport.js';

type Timer = ReturnType<typeof setTimeout>;

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface StreamPosition {
  lastSeq: number;
  epoch: string;
}

export interface AgentwireClientOptions {
  /** The server's WebSocket endpoint, e.g. wss://chat.example.com/ws */
  url: string;
  /** A token, or a function returning a fresh one; it is called again after a 4401. */
  token: TokenSource;
  /** WebSocket implementation (default: globalThis.WebSocket; in Node pass `ws`). */
  WebSocket?: WebSocketConstructor;
  /** fetch implementation for the history API (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Base URL of the HTTP API (default: derived from `url`). */
  httpUrl?: string;
  /** Where to resume from, e.g. a position saved in sessionStorage before a reload. */
  resumeFrom?: StreamPosition;
  backoff?: Partial<BackoffOptions>;
  /** Acks are batched: at most one every this many ms (default 250). */
  ackIntervalMs?: number;
  /** An attempt that has not reached connection_established by then is abandoned (default 10 s). */
  connectTimeoutMs?: number;
  /** Finished runs kept for client.run() (default 200). */
  maxFinishedRuns?: number;
}

export interface ClientEventMap {
  /** Every state transition. */
  state: { from: ClientState; to: ClientState; reason?: string };
  /** A connection is established (first or after a reconnect). */
  connected: ConnectionEstablished;
  /** An agent event, exactly once, in seq order. */
  event: AgentEvent;
  /** A resume finished: `replayed` events were caught up. */
  resumed: Resumed & { replayed: number };
  /**
   * The server could not replay everything after the last seq (retention, or a new epoch).
   * Rebuild the affected threads with client.history(threadId).
   */
  unrecovered: { fromSeq: number; toSeq: number; epochChanged: boolean };
  /** A reconnect is scheduled: show a countdown to `at` (epoch ms). */
  reconnecting: { attempt: number; delayMs: number; at: number; code?: number; reason?: string };
  /** A server error not tied to a send() or cancel(), or a failure of the client itself. */
  error: AgentwireClientError;
}

interface PendingSend {
  frame: string;
  resolve: (value: { runId: string; threadId: string }) => void;
  reject: (error: AgentwireClientError) => void;
}

interface PendingCancel {
  frame: string;
  sent: boolean;
  resolve: () => void;
  reject: (error: AgentwireClientError) => void;
}

export class AgentwireClient extends TypedEmitter<ClientEventMap> {
  #state: ClientState = 'idle';
  readonly #o: Required<Pick<AgentwireClientOptions, 'ackIntervalMs' | 'connectTimeoutMs' | 'maxFinishedRuns'>> & AgentwireClientOptions;
  readonly #backoff: BackoffOptions;
  readonly #WebSocket: WebSocketConstructor;
  readonly #sequencer: Sequencer;
  readonly #history: HistoryApi;
  #socket: WebSocketLike | undefined;
  #transport = 0;
  #attempt = 0;
  #established: ConnectionEstablished | undefined;
  #resumeInFlight = false;
  #replayed = 0;
  #lastAcked = 0;
  #lastFrameAt = 0;
  #protocolErrors = 0;
  #timers: { ack?: Timer | undefined; reconnect?: Timer | undefined; connect?: Timer | undefined; liveness?: Timer | undefined } = {};
  readonly #sends = new Map<string, PendingSend>();
  readonly #cancels = new Map<string, PendingCancel>();
  readonly #runs = new Map<string, RunView>();
  #unwatchNetwork: (() => void) | undefined;
  #connectedOnce: { resolve: () => void; reject: (error: AgentwireClientError) => void } | undefined;

  constructor(options: AgentwireClientOptions) {
    super();
    this.#o = { ackIntervalMs: 250, connectTimeoutMs: 10_000, maxFinishedRuns: 200, ...options };
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) throw new AgentwireClientError('CLOSED', 'no WebSocket implementation: pass options.WebSocket (in Node, the `ws` package)');
    this.#WebSocket = ctor;
    this.#sequencer = new Sequencer(options.resumeFrom);
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#history = new HistoryApi(options.httpUrl ?? httpBaseFromWsUrl(options.url), options.token, fetchImpl);
  }

  get state(): ClientState {
    return this.#state;
  }

  /** The last delivered seq and its epoch: save it to resume after a page reload. */
  get position(): StreamPosition | undefined {
    const epoch = this.#sequencer.epoch;
    return epoch === undefined ? undefined : { lastSeq: this.#sequencer.lastSeq, epoch };
  }

  /** The server's connection_established of the current (or last) connection. */
  /** Frames from the server that were dropped as malformed (each also emitted as a PROTOCOL_ERROR `error`). */
  get protocolErrors(): number {
    return this.#protocolErrors;
  }

  get connection(): ConnectionEstablished | undefined {
    return this.#established;
  }

  /** Opens the connection. Resolves once connected the first time; reconnects on its own after that. */
  connect(): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new AgentwireClientError('CLOSED', 'this client was closed'));
    if (this.#state !== 'idle') return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => {
      this.#connectedOnce = { resolve, reject };
    });
    this.#setState('connecting');
    this.#watchNetwork();
    void this.#open();
    return connected;
  }

  /** Closes for good: pending sends are rejected with CLOSED. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#unwatchNetwork?.();
    this.#setState('closed', 'closed by the application');
    this.#teardown();
    this.#socket?.close(CloseCode.NORMAL, 'client closed');
    this.#socket = undefined;
    this.#failPending(new AgentwireClientError('CLOSED', 'the client was closed'));
  }

  /**
   * Sends a message to an agent. Resolves with the run it started. Offline, it waits and is
   * sent after the reconnect with the same clientMessageId, so a retry never starts two runs.
   */
  send(text: string, options: { threadId?: string; agent?: string } = {}): Promise<{ runId: string; threadId: string }> {
    if (this.#state === 'closed') return Promise.reject(new AgentwireClientError('CLOSED', 'this client was closed'));
    const clientMessageId = randomId('cm_');
    const frame = encodeClientMessage({ type: 'user_message', text, clientMessageId, ...options });
    return new Promise((resolve, reject) => {
      this.#sends.set(clientMessageId, { frame, resolve, reject });
      if (this.#state === 'connected') this.#write(frame);
    });
  }

  /** Cancels a run. Resolves when its terminal event arrives. */
  cancel(runId: string): Promise<void> {
    const view = this.#runs.get(runId);
    if (view?.finished) return Promise.resolve();
    const existing = this.#cancels.get(runId);
    if (existing) return new Promise((resolve, reject) => this.#cancels.set(runId, { ...existing, resolve: chain(existing.resolve, resolve), reject: chain(existing.reject, reject) }));
    return new Promise((resolve, reject) => {
      const pending: PendingCancel = { frame: encodeClientMessage({ type: 'cancel', runId }), sent: false, resolve, reject };
      this.#cancels.set(runId, pending);
      if (this.#state === 'connected') {
        pending.sent = true;
        this.#write(pending.frame);
      }
    });
  }

  /**
   * Reconnects at once: skips a pending backoff delay, or replaces a connection the application
   * knows to be dead (a "Retry now" button, the browser's `online` event). Resumes as always.
   */
  reconnectNow(): void {
    if (this.#state === 'reconnecting') {
      clearTimeout(this.#timers.reconnect);
      void this.#open();
    } else if (this.#state === 'connected' && this.#socket) {
      this.#abandon(this.#socket, 'reconnect requested');
      this.reconnectNow();
    }
  }

  /** One run's events: snapshot, subscribe, `for await`, and `done`. */
  run(runId: string): RunView {
    let view = this.#runs.get(runId);
    if (!view) {
      view = new RunView(runId);
      this.#runs.set(runId, view);
    }
    return view;
  }

  /** The user's threads, newest first (HTTP). */
  threads(): Promise<ThreadSummary[]> {
    return this.#history.threads();
  }

  /** Renames one of the user's threads (HTTP PATCH); another user's thread is FORBIDDEN. */
  renameThread(threadId: string, title: string): Promise<ThreadSummary> {
    return this.#history.renameThread(threadId, title);
  }

  /** Deletes one of the user's threads and its events (HTTP DELETE); another user's is FORBIDDEN. */
  deleteThread(threadId: string): Promise<void> {
    return this.#history.deleteThread(threadId);
  }

  /** A thread's retained events (HTTP): for rebuilding after `unrecovered`. */
  history(threadId: string, options: { afterSeq?: number; limit?: number; all?: boolean } = {}): Promise<ThreadHistory> {
    return options.all ? this.#history.fullThread(threadId) : this.#history.thread(threadId, options);
  }

  // ---- connection lifecycle ----------------------------------------------------------------

  #setState(to: ClientState, reason?: string): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.emit('state', reason === undefined ? { from, to } : { from, to, reason });
  }

  async #open(): Promise<void> {
    const id = ++this.#transport;
    let token: string;
    try {
      token = await resolveToken(this.#o.token);
    } catch (error) {
      if (id !== this.#transport || this.#state === 'closed') return;
      this.emit('error', new AgentwireClientError('UNAUTHORIZED', 'the token provider failed', { cause: error }));
      this.#scheduleReconnect(undefined, 'token provider failed');
      return;
    }
    if (id !== this.#transport || this.#state === 'closed') return;
    const socket = new this.#WebSocket(this.#connectUrl(), ['agentwire.v1', `bearer.${token}`]);
    this.#socket = socket;
    socket.onmessage = (event) => {
      if (id === this.#transport) this.#onFrame(event.data);
    };
    socket.onclose = (event) => {
      if (id === this.#transport) this.#onClose(event.code, event.reason);
    };
    socket.onerror = () => undefined;
    this.#timers.connect = setTimeout(() => {
      if (id === this.#transport) this.#abandon(socket, 'connect timeout');
    }, this.#o.connectTimeoutMs);
  }

  #connectUrl(): string {
    const url = new URL(this.#o.url);
    const position = this.position;
    if (position) {
      url.searchParams.set('lastSeq', String(position.lastSeq));
      url.searchParams.set('epoch', position.epoch);
    }
    return url.toString();
  }

  #onClose(code: number, reason: string): void {
    this.#teardown();
    this.#socket = undefined;
    if (this.#state === 'closed') return;
    if (code === CloseCode.FORBIDDEN || (code === CloseCode.UNAUTHORIZED && typeof this.#o.token === 'string')) {
      const error = new AgentwireClientError(code === CloseCode.FORBIDDEN ? 'FORBIDDEN' : 'UNAUTHORIZED', reason || `closed with ${code}`);
      this.#setState('closed', `closed by the server with ${code}`);
      this.#failPending(error);
      return;
    }
    this.#scheduleReconnect(code, reason);
  }

  /** A socket that went quiet or never connected: drop it without waiting for its close. */
  #abandon(socket: WebSocketLike, reason: string): void {
    this.#transport += 1;
    try {
      socket.close(4000, reason);
    } catch {
      // Already closing; nothing to do.
    }
    this.#onClose(1006, reason);
  }

  /** In a browser, the network coming back is a reason to stop waiting out the backoff. */
  #watchNetwork(): void {
    const target = globalThis as { addEventListener?: (name: string, listener: () => void) => void; removeEventListener?: (name: string, listener: () => void) => void };
    if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return;
    const onOnline = () => {
      if (this.#state === 'reconnecting') this.reconnectNow();
    };
    target.addEventListener('online', onOnline);
    this.#unwatchNetwork = () => target.removeEventListener?.('online', onOnline);
  }

  #scheduleReconnect(code: number | undefined, reason: string): void {
    this.#attempt += 1;
    let delayMs = backoffDelay(this.#attempt - 1, this.#backoff);
    // Rate-limited: never come straight back.
    if (code === CloseCode.RATE_LIMITED) delayMs = Math.max(delayMs, 1000);
    this.#setState('reconnecting', reason || (code === undefined ? 'connection lost' : `closed with ${code}`));
    const at = Date.now() + delayMs;
    this.emit('reconnecting', { attempt: this.#attempt, delayMs, at, ...(code === undefined ? {} : { code }), ...(reason ? { reason } : {}) });
    this.#timers.reconnect = setTimeout(() => {
      void this.#open();
    }, delayMs);
  }

  #teardown(): void {
    clearTimeout(this.#timers.ack);
    clearTimeout(this.#timers.reconnect);
    clearTimeout(this.#timers.connect);
    clearInterval(this.#timers.liveness);
    this.#timers = {};
  }

  #write(frame: string): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(frame);
  }

  // ---- inbound frames ------------------------------------------------------------------------

  #onFrame(data: unknown): void {
    this.#lastFrameAt = Date.now();
    const read = readServerFrame(typeof data === 'string' ? data : String(data));
    if (!read.ok) {
      // Dropped and reported, never cast: a frame this client cannot trust must not move its state.
      this.#protocolErrors += 1;
      this.emit('error', new AgentwireClientError('PROTOCOL_ERROR', `the server sent a malformed frame (${read.problem})`));
      return;
    }
    const frame = read.message;
    switch (frame.type) {
      case 'connection_established':
        this.#onEstablished(frame);
        return;
      case 'resumed':
        this.#onResumed(frame);
        return;
      case 'run_accepted': {
        this.run(frame.runId);
        const pending = this.#sends.get(frame.clientMessageId);
        this.#sends.delete(frame.clientMessageId);
        pending?.resolve({ runId: frame.runId, threadId: frame.threadId });
        return;
      }
      case 'error':
        this.#onError(frame);
        return;
      case 'pong':
        return;
      default:
        this.#onEvent(frame);
    }
  }

  #onEstablished(frame: ConnectionEstablished): void {
    clearTimeout(this.#timers.connect);
    this.#established = frame;
    this.#attempt = 0;
    this.#replayed = 0;
    this.#resumeInFlight = false;
    // Without a position the stream starts live at the head the server announced.
    if (this.#sequencer.epoch === undefined) this.#sequencer.reset(frame.epoch, frame.lastSeq);
    this.#lastAcked = this.#sequencer.lastSeq;
    this.#setState('connected');
    this.#startLiveness(frame.heartbeatMs);
    this.emit('connected', frame);
    this.#connectedOnce?.resolve();
    this.#connectedOnce = undefined;
    // What was sent but not answered goes again; the server dedupes by clientMessageId.
    for (const pending of this.#sends.values()) this.#write(pending.frame);
    for (const pending of this.#cancels.values()) {
      pending.sent = true;
      this.#write(pending.frame);
    }
  }

  #onResumed(frame: Resumed): void {
    this.#resumeInFlight = false;
    if (!frame.recovered) {
      const epochChanged = this.#established !== undefined && this.#established.epoch !== this.#sequencer.epoch;
      let delivered: AgentEvent[];
      if (epochChanged && this.#established) {
        this.#sequencer.reset(this.#established.epoch, frame.toSeq);
        delivered = [];
      } else {
        delivered = this.#sequencer.skipTo(frame.toSeq);
      }
      this.emit('unrecovered', { fromSeq: frame.fromSeq, toSeq: frame.toSeq, epochChanged });
      this.#deliver(delivered);
    }
    this.emit('resumed', { ...frame, replayed: this.#replayed });
    if (this.#sequencer.waiting > 0 && this.#socket) {
      // The connection says it sent everything, yet a seq is missing (a frame lost between
      // server and here): start over with a resume in the handshake, which replays it.
      this.#abandon(this.#socket, 'gap not filled by in-band resume');
    }
  }

  #onError(frame: ErrorMessage): void {
    const error = new AgentwireClientError(frame.code, frame.message);
    if (frame.clientMessageId !== undefined && this.#sends.has(frame.clientMessageId)) {
      this.#sends.get(frame.clientMessageId)?.reject(error);
      this.#sends.delete(frame.clientMessageId);
      return;
    }
    if (frame.runId !== undefined && this.#cancels.has(frame.runId)) {
      this.#cancels.get(frame.runId)?.reject(error);
      this.#cancels.delete(frame.runId);
      return;
    }
    this.emit('error', error);
  }

  #onEvent(event: AgentEvent): void {
    const accepted = this.#sequencer.accept(event);
    if (accepted.gap && !this.#resumeInFlight && this.#sequencer.epoch !== undefined) {
      // An event arrived ahead of one we have not seen: ask for the range in between.
      this.#resumeInFlight = true;
      // `resumed.replayed` counts what this resume caught up, not everything since connecting.
      this.#replayed = 0;
      this.#write(encodeClientMessage({ type: 'resume', lastSeq: this.#sequencer.lastSeq, epoch: this.#sequencer.epoch }));
    }
    this.#deliver(accepted.deliver);
  }

  #deliver(events: AgentEvent[]): void {
    if (events.length === 0) return;
    this.#replayed += events.length;
    for (const event of events) {
      this.run(event.runId).push(event);
      if (isTerminalType(event.type)) this.#onRunEnded(event.runId);
      this.emit('event', event);
    }
    this.#scheduleAck();
  }

  #onRunEnded(runId: string): void {
    const cancel = this.#cancels.get(runId);
    this.#cancels.delete(runId);
    cancel?.resolve();
    let finished = 0;
    for (const [id, view] of [...this.#runs].reverse()) {
      if (view.finished && ++finished > this.#o.maxFinishedRuns) this.#runs.delete(id);
    }
  }

  #scheduleAck(): void {
    if (this.#timers.ack !== undefined) return;
    this.#timers.ack = setTimeout(() => {
      this.#timers.ack = undefined;
      const seq = this.#sequencer.lastSeq;
      if (seq > this.#lastAcked && this.#state === 'connected') {
        this.#lastAcked = seq;
        this.#write(encodeClientMessage({ type: 'ack', seq }));
      }
    }, this.#o.ackIntervalMs);
  }

  /** Browsers cannot see WebSocket pings: ping at the server's interval and drop a silent socket. */
  #startLiveness(heartbeatMs: number): void {
    clearInterval(this.#timers.liveness);
    const socket = this.#socket;
    this.#timers.liveness = setInterval(() => {
      if (!socket) return;
      if (Date.now() - this.#lastFrameAt > heartbeatMs * 2) {
        this.#abandon(socket, 'no frames from the server');
        return;
      }
      this.#write('{"type":"ping"}');
    }, heartbeatMs);
  }

  #failPending(error: AgentwireClientError): void {
    for (const pending of this.#sends.values()) pending.reject(error);
    this.#sends.clear();
    for (const pending of this.#cancels.values()) pending.reject(error);
    this.#cancels.clear();
    this.#connectedOnce?.reject(error);
    this.#connectedOnce = undefined;
  }
}

function chain<A extends unknown[]>(first: (...args: A) => void, second: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    first(...args);
    second(...args);
  };
}
