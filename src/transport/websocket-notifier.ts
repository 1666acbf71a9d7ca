/**
 * WebSocketNotifier: the only code that writes agent events to sockets.
 *
 * It is the WebSocket framing of the event stream and the registry of its connections. What a
 * connection is owed, and when (cursor, live vs catch-up, resumes, the outbound bound, slow
 * consumers), is decided by the connection's StreamSubscriber; this file only turns its
 * writes into WebSocket frames and routes each stored event to its user's subscribers.
 */
import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/codes.js';
import type { Resumed } from '../protocol/messages.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import { StreamSubscriber, type EventSink, type StreamStart, type SubscriberSettings } from './stream-subscriber.js';

export type { StreamStart } from './stream-subscriber.js';

/** What the notifier needs of a connection. */
export interface NotifiedConnection {
  readonly connectionId: string;
  readonly userId: string;
  readonly socket: WebSocket;
  /** Sends a control frame (here: `resumed`). */
  sendControl(message: Resumed): void;
  /** The outbound buffer passed its bound: close with 4408. */
  closeSlowConsumer(bufferedBytes: number): void;
}

export interface NotifierOptions {
  store: EventStore;
  metrics: Metrics;
  logger: Logger;
  /**
   * Outbound bytes buffered on one connection past which nothing more is written to it (live
   * or replayed) until it drains; it is then fed from the store (default 8 MiB).
   */
  maxOutboundBytes?: number;
  /** How long a connection may stay past that bound without draining before it is closed with 4408 (default 10 s). */
  slowConsumerTimeoutMs?: number;
  /** Events one connection reads from the store and writes per turn of the event loop (default 256). */
  replayPageSize?: number;
  /** In-band resumes that may wait behind the one a connection is replaying (default 16). */
  maxPendingResumes?: number;
}

export const DEFAULT_MAX_OUTBOUND_BYTES = 8 * 1024 * 1024;
export const DEFAULT_SLOW_CONSUMER_TIMEOUT_MS = 10_000;
export const DEFAULT_REPLAY_PAGE_SIZE = 256;
export const DEFAULT_MAX_PENDING_RESUMES = 16;

const OPEN = 1;

/** The WebSocket framing of a stream: a stored event's frame is sent as one text frame. */
class WebSocketSink implements EventSink {
  constructor(readonly connection: NotifiedConnection) {}

  get connectionId(): string {
    return this.connection.connectionId;
  }

  get userId(): string {
    return this.connection.userId;
  }

  isOpen(): boolean {
    return this.connection.socket.readyState === OPEN;
  }

  bufferedBytes(): number {
    return this.connection.socket.bufferedAmount;
  }

  write(event: StoredEvent, onWritten: (error?: Error) => void): void {
    this.connection.socket.send(event.frame, onWritten);
  }

  sendResumed(message: Resumed): void {
    this.connection.sendControl(message);
  }

  closeSlowConsumer(bufferedBytes: number): void {
    this.connection.closeSlowConsumer(bufferedBytes);
  }

  closeFailed(reason: string): void {
    this.connection.socket.close(CloseCode.INTERNAL_ERROR, reason);
  }
}

export class WebSocketNotifier {
  readonly #metrics: Metrics;
  readonly #settings: SubscriberSettings;
  readonly #byUser = new Map<string, Set<StreamSubscriber>>();
  readonly #byConnection = new Map<string, StreamSubscriber>();

  constructor(options: NotifierOptions) {
    this.#metrics = options.metrics;
    this.#settings = {
      store: options.store,
      metrics: options.metrics,
      logger: options.logger,
      maxOutboundBytes: options.maxOutboundBytes ?? DEFAULT_MAX_OUTBOUND_BYTES,
      slowConsumerTimeoutMs: options.slowConsumerTimeoutMs ?? DEFAULT_SLOW_CONSUMER_TIMEOUT_MS,
      pageSize: options.replayPageSize ?? DEFAULT_REPLAY_PAGE_SIZE,
      maxPendingResumes: options.maxPendingResumes ?? DEFAULT_MAX_PENDING_RESUMES,
    };
  }

  /**
   * Registers a connection before its head is read, so no event published in between is
   * missed: until start() its subscriber only records that something arrived.
   */
  register(connection: NotifiedConnection): void {
    const subscriber = new StreamSubscriber(new WebSocketSink(connection), this.#settings);
    this.#byConnection.set(connection.connectionId, subscriber);
    let subscribers = this.#byUser.get(connection.userId);
    if (!subscribers) {
      subscribers = new Set();
      this.#byUser.set(connection.userId, subscribers);
    }
    subscribers.add(subscriber);
  }

  /** Starts the stream right after connection_established went out. */
  start(connectionId: string, start: StreamStart): void {
    this.#byConnection.get(connectionId)?.start(start);
  }

  unregister(connectionId: string): void {
    const subscriber = this.#byConnection.get(connectionId);
    if (!subscriber) return;
    subscriber.close();
    this.#byConnection.delete(connectionId);
    const subscribers = this.#byUser.get(subscriber.sink.userId);
    subscribers?.delete(subscriber);
    if (subscribers?.size === 0) this.#byUser.delete(subscriber.sink.userId);
  }

  /** Live fan-out of one stored event to every connection of its user, and to no one else. */
  notify(event: StoredEvent): void {
    this.#metrics.ledger.published(event.userId, event.seq);
    const subscribers = this.#byUser.get(event.userId);
    if (!subscribers) return;
    for (const subscriber of subscribers) {
      if (subscriber.offer(event)) this.#metrics.deliveryLatency.observe((Date.now() - event.ts) / 1000);
    }
  }

  /**
   * In-band resume: the client says it holds everything up to lastSeq. Serialised per
   * connection and answered with `resumed`. Returns false when the connection already has
   * the maximum of resumes waiting (the caller refuses this one).
   */
  resume(connectionId: string, lastSeq: number, epoch: string): boolean {
    return this.#byConnection.get(connectionId)?.resume(lastSeq, epoch) ?? true;
  }

  /** Records a cumulative ack. Returns false when it acks more than was written. */
  ack(connectionId: string, seq: number): boolean {
    return this.#byConnection.get(connectionId)?.ack(seq) ?? true;
  }

  /** Number of streams (connections) registered for a user. */
  connectionsOf(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }

  /**
   * Catches every started stream up from the store. For live fan-out that was interrupted
   * (a lost pub/sub connection): an event missed then leaves a gap that no later event may
   * ever reveal, so every stream reads after its cursor once.
   */
  resyncAll(): void {
    for (const subscriber of this.#byConnection.values()) subscriber.resync();
  }
}
