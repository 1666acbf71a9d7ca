/**
 * WebSocketNotifier: the only code that writes agent events to sockets.
 *
 * Each connection has a stream with a cursor: the highest seq written to it. A live event whose
 * seq is cursor + 1 is written at once (the fast path, one shared frame string for every
 * connection of the user). Anything else, a gap, a resume, a replay still in progress, is
 * served by reading the store after the cursor; the store is the source of truth, so a stream
 * can fall behind, catch up or resume without ever skipping or repeating a seq.
 */
import type { WebSocket } from 'ws';
import type { Resumed } from '../protocol/messages.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../server/logger.js';

/** What the notifier needs of a connection. */
export interface StreamSubscriber {
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
   * Outbound bytes buffered on one connection past which live events stop being pushed to it
   * and it is fed from the store as it drains (default 8 MiB).
   */
  maxOutboundBytes?: number;
  /** How long a connection may stay past that bound without draining before it is closed with 4408 (default 10 s). */
  slowConsumerTimeoutMs?: number;
  /** Events read from the store per replay page (default 256). */
  replayPageSize?: number;
}

/** How a connection's stream starts. */
export type StreamStart =
  | { kind: 'head'; head: number }
  | { kind: 'resume'; lastSeq: number; recovered: true }
  | { kind: 'unrecoverable'; lastSeq: number; head: number };

export const DEFAULT_MAX_OUTBOUND_BYTES = 8 * 1024 * 1024;
export const DEFAULT_SLOW_CONSUMER_TIMEOUT_MS = 10_000;

const OPEN = 1;

class Stream {
  /** Highest seq written to this connection. */
  cursor = 0;
  /** Lowest seq this connection is owed minus one: (floor, cursor] has been written. */
  floor = 0;
  acked = 0;
  /** Not yet announced (connection_established not sent): events only mark it dirty. */
  paused = true;
  catchingUp = false;
  dirty = false;
  pendingResumed: { fromSeq: number } | undefined;

  /** A method, not a field read: live events set `dirty` while the catch-up loop awaits. */
  isDirty(): boolean {
    return this.dirty;
  }
  readonly onWritten: (error?: Error) => void;

  constructor(
    readonly subscriber: StreamSubscriber,
    metrics: Metrics,
  ) {
    // One callback per stream, not one closure per frame: ws calls it once the frame is written.
    this.onWritten = (error) => {
      if (!error) metrics.eventsDelivered.inc();
    };
  }
}

export class WebSocketNotifier {
  readonly #store: EventStore;
  readonly #metrics: Metrics;
  readonly #logger: Logger;
  readonly #maxOutboundBytes: number;
  readonly #pageSize: number;
  readonly #slowConsumerTimeoutMs: number;
  readonly #byUser = new Map<string, Set<Stream>>();
  readonly #byConnection = new Map<string, Stream>();
  /** Largest outbound buffer seen right after a write: makes the bound observable, not assumed. */
  #bufferedPeak = 0;

  constructor(options: NotifierOptions) {
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#maxOutboundBytes = options.maxOutboundBytes ?? DEFAULT_MAX_OUTBOUND_BYTES;
    this.#pageSize = options.replayPageSize ?? 256;
    this.#slowConsumerTimeoutMs = options.slowConsumerTimeoutMs ?? DEFAULT_SLOW_CONSUMER_TIMEOUT_MS;
  }

  /**
   * Registers a connection before its head is read, so no event published in between is
   * missed: until start() it only records that something arrived.
   */
  register(subscriber: StreamSubscriber): void {
    const stream = new Stream(subscriber, this.#metrics);
    this.#byConnection.set(subscriber.connectionId, stream);
    let streams = this.#byUser.get(subscriber.userId);
    if (!streams) {
      streams = new Set();
      this.#byUser.set(subscriber.userId, streams);
    }
    streams.add(stream);
  }

  /** Starts the stream right after connection_established went out. */
  start(connectionId: string, start: StreamStart): void {
    const stream = this.#byConnection.get(connectionId);
    if (!stream) return;
    stream.paused = false;
    if (start.kind === 'resume') {
      stream.cursor = stream.floor = stream.acked = start.lastSeq;
      this.#metrics.ledger.confirmed(stream.subscriber.userId, start.lastSeq);
      stream.pendingResumed = { fromSeq: start.lastSeq + 1 };
      this.#catchUp(stream);
      return;
    }
    stream.cursor = stream.floor = stream.acked = start.head;
    if (start.kind === 'unrecoverable') {
      stream.subscriber.sendControl({ type: 'resumed', fromSeq: start.lastSeq + 1, toSeq: start.head, recovered: false });
    }
    if (stream.dirty) this.#catchUp(stream);
  }

  unregister(connectionId: string): void {
    const stream = this.#byConnection.get(connectionId);
    if (!stream) return;
    this.#byConnection.delete(connectionId);
    const streams = this.#byUser.get(stream.subscriber.userId);
    streams?.delete(stream);
    if (streams?.size === 0) this.#byUser.delete(stream.subscriber.userId);
  }

  /** Live fan-out of one stored event to every connection of its user, and to no one else. */
  notify(event: StoredEvent): void {
    this.#metrics.ledger.published(event.userId, event.seq);
    const streams = this.#byUser.get(event.userId);
    if (!streams) return;
    for (const stream of streams) {
      if (stream.paused || stream.catchingUp) {
        stream.dirty = true;
      } else if (event.seq === stream.cursor + 1) {
        if (this.#write(stream, event)) this.#metrics.deliveryLatency.observe((Date.now() - event.ts) / 1000);
      } else if (event.seq > stream.cursor + 1) {
        // A gap: an earlier event is still on its way (another node, a slower append). The
        // store already holds it, so read instead of waiting.
        this.#catchUp(stream);
      }
    }
  }

  /**
   * In-band resume: the client says it holds everything up to lastSeq. Seqs above the floor
   * were (or will be) written on this connection already; only (lastSeq, floor] is replayed.
   */
  async resume(connectionId: string, lastSeq: number, epoch: string): Promise<void> {
    const stream = this.#byConnection.get(connectionId);
    if (!stream || stream.paused) return;
    const floor = stream.floor;
    if (epoch !== this.#store.epoch || lastSeq > stream.cursor) {
      stream.subscriber.sendControl({ type: 'resumed', fromSeq: lastSeq + 1, toSeq: stream.cursor, recovered: false });
      return;
    }
    if (lastSeq >= floor) {
      stream.subscriber.sendControl({ type: 'resumed', fromSeq: lastSeq + 1, toSeq: lastSeq, recovered: true });
      return;
    }
    const first = await this.#store.firstSeq(stream.subscriber.userId);
    if (first > lastSeq + 1) {
      stream.subscriber.sendControl({ type: 'resumed', fromSeq: lastSeq + 1, toSeq: floor, recovered: false });
      return;
    }
    stream.floor = lastSeq;
    this.#metrics.ledger.confirmed(stream.subscriber.userId, lastSeq);
    await this.#backfill(stream, lastSeq, floor);
    if (this.#open(stream)) stream.subscriber.sendControl({ type: 'resumed', fromSeq: lastSeq + 1, toSeq: floor, recovered: true });
  }

  /** Records a cumulative ack. Returns false when it acks more than was written. */
  ack(connectionId: string, seq: number): boolean {
    const stream = this.#byConnection.get(connectionId);
    if (!stream) return true;
    if (seq > stream.cursor) return false;
    if (seq > stream.acked) {
      this.#metrics.eventsAcked.inc(seq - stream.acked);
      stream.acked = seq;
    }
    this.#metrics.ledger.confirmed(stream.subscriber.userId, seq);
    return true;
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
    for (const stream of this.#byConnection.values()) {
      if (!stream.paused) this.#catchUp(stream);
    }
  }

  #open(stream: Stream): boolean {
    return stream.subscriber.socket.readyState === OPEN && this.#byConnection.get(stream.subscriber.connectionId) === stream;
  }

  /**
   * Writes one live frame. Past the outbound bound the connection stops being pushed to: it
   * is switched to catch-up, which reads from the store as fast as the socket drains, so a slow
   * reader costs a bounded buffer, never an unbounded one, and loses nothing.
   */
  #write(stream: Stream, event: StoredEvent): boolean {
    const socket = stream.subscriber.socket;
    if (socket.readyState !== OPEN) return false;
    if (socket.bufferedAmount > this.#maxOutboundBytes) {
      this.#catchUp(stream);
      return false;
    }
    socket.send(event.frame, stream.onWritten);
    stream.cursor = event.seq;
    this.#observeBuffered(socket);
    return true;
  }

  #observeBuffered(socket: WebSocket): void {
    const buffered = socket.bufferedAmount;
    if (buffered <= this.#bufferedPeak) return;
    this.#bufferedPeak = buffered;
    this.#metrics.outboundBufferedPeak.set(buffered);
  }

  /** Reads the store after the cursor until the stream is level with it, then goes live. */
  #catchUp(stream: Stream): void {
    if (stream.catchingUp) {
      stream.dirty = true;
      return;
    }
    stream.catchingUp = true;
    this.#catchUpLoop(stream)
      .catch((error: unknown) => {
        this.#metrics.backgroundErrors.inc({ loop: 'catch_up' });
        this.#logger.error('catch-up failed; closing the connection so the client resumes', { connectionId: stream.subscriber.connectionId, error });
        stream.subscriber.socket.close(1011, 'replay failed');
      })
      .finally(() => {
        stream.catchingUp = false;
      });
  }

  async #catchUpLoop(stream: Stream): Promise<void> {
    const userId = stream.subscriber.userId;
    for (;;) {
      // Cleared before the read: an event notified while the read is in flight sets it again.
      stream.dirty = false;
      const page = await this.#store.readAfter(userId, stream.cursor, this.#pageSize);
      if (!this.#open(stream)) return;
      const first = page[0];
      if (first && first.seq > stream.cursor + 1) {
        // Retention dropped events this connection was owed while it caught up.
        stream.subscriber.sendControl({ type: 'resumed', fromSeq: stream.cursor + 1, toSeq: first.seq - 1, recovered: false });
        stream.cursor = first.seq - 1;
      }
      if (!(await this.#writePage(stream, page))) return;
      if (page.length < this.#pageSize && !stream.isDirty()) break;
    }
    const pending = stream.pendingResumed;
    if (pending) {
      stream.pendingResumed = undefined;
      stream.subscriber.sendControl({ type: 'resumed', fromSeq: pending.fromSeq, toSeq: stream.cursor, recovered: true });
    }
  }

  /** Replays (from, to] without moving the cursor: those seqs lie below the live range. */
  async #backfill(stream: Stream, from: number, to: number): Promise<void> {
    let after = from;
    while (after < to && this.#open(stream)) {
      const page = (await this.#store.readAfter(stream.subscriber.userId, after, Math.min(this.#pageSize, to - after))).filter((e) => e.seq <= to);
      const last = page[page.length - 1];
      if (!last || !(await this.#writeReplayed(stream, page))) return;
      after = last.seq;
    }
  }

  async #writePage(stream: Stream, page: StoredEvent[]): Promise<boolean> {
    const owed = page.filter((event) => event.seq > stream.cursor);
    // readAfter(cursor) returns cursor+1, cursor+2, … except where a deleted thread's events
    // were: each such hole is announced as gone (recovered: false), never left for the client
    // to wait on.
    let start = 0;
    for (let i = 0; i <= owed.length; i++) {
      const event = owed[i];
      if (event && (i === 0 || event.seq === (owed[i - 1] as StoredEvent).seq + 1)) continue;
      const run = owed.slice(start, i);
      const last = run[run.length - 1];
      if (last) {
        stream.cursor = last.seq;
        if (!(await this.#writeReplayed(stream, run))) return false;
      }
      if (event) {
        stream.subscriber.sendControl({ type: 'resumed', fromSeq: stream.cursor + 1, toSeq: event.seq - 1, recovered: false });
        stream.cursor = event.seq - 1;
      }
      start = i;
    }
    return this.#open(stream);
  }

  /**
   * Writes replayed frames, then waits for the socket to flush them when its buffer is past
   * the low-water mark: replay is pull-based, so a slow reader slows the replay instead of
   * filling memory.
   */
  #writeReplayed(stream: Stream, events: StoredEvent[]): Promise<boolean> {
    const socket = stream.subscriber.socket;
    if (socket.readyState !== OPEN) return Promise.resolve(false);
    const lastIndex = events.length - 1;
    let flushed: Promise<void> = Promise.resolve();
    events.forEach((event, index) => {
      if (index < lastIndex) {
        socket.send(event.frame, stream.onWritten);
        return;
      }
      flushed = new Promise((resolve) => {
        socket.send(event.frame, (error?: Error) => {
          stream.onWritten(error);
          resolve();
        });
      });
    });
    this.#metrics.eventsReplayed.inc(events.length);
    this.#observeBuffered(socket);
    if (socket.bufferedAmount < this.#maxOutboundBytes / 4) return Promise.resolve(this.#open(stream));
    return this.#awaitFlush(stream, flushed);
  }

  /** Waits for the socket to take what was written; a socket that does not, in time, is closed with 4408. */
  async #awaitFlush(stream: Stream, flushed: Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), this.#slowConsumerTimeoutMs);
    });
    const outcome = await Promise.race([flushed, stalled]);
    clearTimeout(timer);
    if (outcome === 'stalled' && this.#open(stream)) {
      this.#metrics.slowConsumerCloses.inc();
      const buffered = stream.subscriber.socket.bufferedAmount;
      this.unregister(stream.subscriber.connectionId);
      stream.subscriber.closeSlowConsumer(buffered);
      return false;
    }
    return this.#open(stream);
  }
}
