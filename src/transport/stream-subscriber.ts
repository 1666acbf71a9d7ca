/**
 * StreamSubscriber: one connection's view of its user's event stream, independent of the
 * transport that frames it (the WebSocket notifier today; SSE and AG-UI can be sinks too).
 *
 * It owns the cursor, the highest seq written to the sink. A live event whose seq is cursor + 1
 * is written at once; anything else (a gap, a resume, a sink past its outbound bound) is served
 * by ONE pump per subscriber that reads the store page by page as the sink drains. Every store
 * read and every replayed write of a connection goes through that pump, so two resumes that
 * arrive in one TCP read cannot both read the same floor and replay the same range twice, and
 * the pump yields the event loop between pages so one connection's replay cannot starve others.
 */
import type { Resumed } from '../protocol/messages.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';

/** Where a subscriber writes: a transport's framing of the stream. */
export interface EventSink {
  readonly connectionId: string;
  readonly userId: string;
  /** Whether the sink still takes frames. */
  isOpen(): boolean;
  /** Bytes handed to the sink that its peer has not taken yet. */
  bufferedBytes(): number;
  /** Writes one event; `onWritten` runs once it has left for the peer (or failed). */
  write(event: StoredEvent, onWritten: (error?: Error) => void): void;
  sendResumed(message: Resumed): void;
  /** The sink stayed past its outbound bound without draining: close it (4408 on a WebSocket). */
  closeSlowConsumer(bufferedBytes: number): void;
  /** Reading the store failed: close so the client resumes elsewhere (1011 on a WebSocket). */
  closeFailed(reason: string): void;
}

export interface SubscriberSettings {
  store: EventStore;
  metrics: Metrics;
  logger: Logger;
  /** Buffered bytes past which nothing more is written until the sink drains. */
  maxOutboundBytes: number;
  /** How long a sink may stay past that bound without draining before it is closed. */
  slowConsumerTimeoutMs: number;
  /** Events read from the store and written per turn of the event loop. */
  pageSize: number;
  /** In-band resumes that may wait behind the one being replayed; more are refused. */
  maxPendingResumes: number;
}

/** How a stream starts. */
export type StreamStart =
  | { kind: 'head'; head: number }
  | { kind: 'resume'; lastSeq: number; recovered: true }
  | { kind: 'unrecoverable'; lastSeq: number; head: number };

/** Why the pump read the store: the label of `agentwire_catch_up_pages_total`. */
export type CatchUpReason = 'start' | 'resume' | 'gap' | 'bound' | 'resync' | 'backfill';

interface PendingResume {
  lastSeq: number;
  epoch: string;
}

/** A range below the floor that an in-band resume asked for: (after, to], then `resumed`. */
interface Backfill {
  after: number;
  readonly to: number;
  readonly fromSeq: number;
}

/** Lets the event loop run other connections' I/O between two pages of one connection. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class StreamSubscriber {
  /** Highest seq written to the sink (the live range's top). */
  #cursor = 0;
  /** (floor, cursor] has been written or is owed by the pump; in-band resumes lower it. */
  #floor = 0;
  #acked = 0;
  #started = false;
  #closed = false;
  /** The live range needs a read after the cursor, and why. */
  #behind: CatchUpReason | undefined;
  #pumping = false;
  /** The handshake resume's answer, sent once the live range is level with the store. */
  #handshakeResumed: { fromSeq: number } | undefined;
  readonly #resumes: PendingResume[] = [];
  #backfill: Backfill | undefined;
  /** Frames handed to the sink, and how many of them it reported written. */
  #written = 0;
  #flushed = 0;
  #drainWaiter: { target: number; resolve: () => void } | undefined;
  readonly #onWritten: (error?: Error) => void;

  constructor(
    readonly sink: EventSink,
    readonly settings: SubscriberSettings,
  ) {
    // One callback per subscriber, not one closure per frame.
    this.#onWritten = (error) => {
      this.#flushed += 1;
      if (!error) settings.metrics.eventsDelivered.inc();
      const waiter = this.#drainWaiter;
      if (waiter && this.#flushed >= waiter.target) {
        this.#drainWaiter = undefined;
        waiter.resolve();
      }
    };
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Starts the stream right after the transport's greeting went out. */
  start(start: StreamStart): void {
    this.#started = true;
    if (start.kind === 'resume') {
      this.#cursor = this.#floor = this.#acked = start.lastSeq;
      this.settings.metrics.ledger.confirmed(this.sink.userId, start.lastSeq);
      this.#handshakeResumed = { fromSeq: start.lastSeq + 1 };
      this.#behind = 'resume';
      this.#kick();
      return;
    }
    this.#cursor = this.#floor = this.#acked = start.head;
    if (start.kind === 'unrecoverable') {
      this.sink.sendResumed({ type: 'resumed', fromSeq: start.lastSeq + 1, toSeq: start.head, recovered: false });
    }
    // Events published between registration and start only marked the stream behind.
    this.#kick();
  }

  /** Stops every write and wakes a pump waiting for a drain, so it ends. */
  close(): void {
    this.#closed = true;
    const waiter = this.#drainWaiter;
    this.#drainWaiter = undefined;
    waiter?.resolve();
  }

  /**
   * A live event of this user. Written at once only when it is the next seq and the sink is
   * under its bound; past a gap it is never written: the pump reads the store, which already
   * holds the missing events, and writes them in order.
   */
  offer(event: StoredEvent): boolean {
    if (this.#closed) return false;
    if (!this.#started) {
      this.#behind ??= 'start';
      return false;
    }
    if (event.seq <= this.#cursor) return false;
    if (event.seq > this.#cursor + 1) {
      this.#catchUp('gap');
      return false;
    }
    if (!this.sink.isOpen()) return false;
    if (this.#pastBound()) {
      this.#catchUp('bound');
      return false;
    }
    this.#writeNext(event);
    return true;
  }

  /** Reads after the cursor once, e.g. after live fan-out was interrupted. */
  resync(): void {
    if (this.#started) this.#catchUp('resync');
  }

  /**
   * In-band resume: queued behind any resume in progress and answered in order, each by one
   * `resumed`. Returns false when too many already wait (the caller refuses it).
   */
  resume(lastSeq: number, epoch: string): boolean {
    if (this.#resumes.length >= this.settings.maxPendingResumes) return false;
    this.#resumes.push({ lastSeq, epoch });
    this.#kick();
    return true;
  }

  /** Records a cumulative ack. Returns false when it acks more than was written. */
  ack(seq: number): boolean {
    if (seq > this.#cursor) return false;
    if (seq > this.#acked) {
      this.settings.metrics.eventsAcked.inc(seq - this.#acked);
      this.#acked = seq;
    }
    this.settings.metrics.ledger.confirmed(this.sink.userId, seq);
    return true;
  }

  #open(): boolean {
    return !this.#closed && this.sink.isOpen();
  }

  #pastBound(): boolean {
    return this.sink.bufferedBytes() >= this.settings.maxOutboundBytes;
  }

  #writeNext(event: StoredEvent): void {
    this.#send(event);
    this.#cursor = event.seq;
  }

  #send(event: StoredEvent): void {
    this.#written += 1;
    this.sink.write(event, this.#onWritten);
    this.settings.metrics.observeOutboundBuffer(this.sink.bufferedBytes());
  }

  #catchUp(reason: CatchUpReason): void {
    this.#behind ??= reason;
    this.#kick();
  }

  #kick(): void {
    if (this.#pumping || !this.#started || this.#closed) return;
    if (!this.#behind && !this.#handshakeResumed && !this.#backfill && this.#resumes.length === 0) return;
    this.#pumping = true;
    this.#pump().catch((error: unknown) => {
      this.settings.metrics.backgroundErrors.inc({ loop: 'catch_up' });
      this.settings.logger.error('catch-up failed; closing the connection so the client resumes', { connectionId: this.sink.connectionId, error });
      this.sink.closeFailed('replay failed');
    });
  }

  /** The one loop that reads the store for this subscriber: one page of work per turn. */
  async #pump(): Promise<void> {
    try {
      while (this.#open()) {
        if (!(await this.#drained())) return;
        if (this.#behind) await this.#catchUpPage(this.#behind);
        else if (this.#backfill) await this.#backfillPage(this.#backfill);
        else {
          const next = this.#resumes.shift();
          if (next) await this.#beginResume(next);
        }
        // Level with the store: the handshake's answer goes in this turn, not after a yield.
        if (!this.#behind && this.#handshakeResumed && this.#open()) this.#answerHandshake(this.#handshakeResumed);
        if (!this.#behind && !this.#backfill && this.#resumes.length === 0) return;
        await nextTurn();
      }
    } finally {
      // Cleared in the same step that found no work, not in a later microtask: an event
      // offered in between (the bridge publishes from microtasks) must start a new pump.
      this.#pumping = false;
    }
  }

  /** Reads one page after the cursor and writes what is still owed, in seq order. */
  async #catchUpPage(reason: CatchUpReason): Promise<void> {
    // Cleared before the read: an event offered while it is in flight sets it again.
    this.#behind = undefined;
    const { store, pageSize, metrics } = this.settings;
    metrics.catchUpPages.inc({ reason });
    const page = await store.readAfter(this.sink.userId, this.#cursor, pageSize);
    if (!this.#open()) return;
    const first = page.find((event) => event.seq > this.#cursor);
    if (first && first.seq > this.#cursor + 1) {
      // Retention dropped events this connection was owed while it caught up.
      this.sink.sendResumed({ type: 'resumed', fromSeq: this.#cursor + 1, toSeq: first.seq - 1, recovered: false });
      this.#cursor = first.seq - 1;
    }
    let replayed = 0;
    let cutShort = false;
    for (const event of page) {
      if (event.seq <= this.#cursor) continue;
      // Past the bound the rest waits for the drain; never write past a gap.
      if (event.seq !== this.#cursor + 1 || this.#pastBound()) {
        cutShort = true;
        break;
      }
      this.#writeNext(event);
      replayed += 1;
    }
    metrics.eventsReplayed.inc(replayed);
    // A full page, or one cut short, leaves more to read.
    if (page.length === pageSize || cutShort) this.#behind ??= reason;
  }

  #answerHandshake(pending: { fromSeq: number }): void {
    this.#handshakeResumed = undefined;
    this.sink.sendResumed({ type: 'resumed', fromSeq: pending.fromSeq, toSeq: this.#cursor, recovered: true });
  }

  /**
   * Decides one in-band resume. Only the pump calls this, one resume at a time, so the floor
   * it reads is the one the previous resume left: seqs above it were (or will be) written on
   * this connection already, and only (lastSeq, floor] is replayed.
   */
  async #beginResume({ lastSeq, epoch }: PendingResume): Promise<void> {
    const { store, metrics } = this.settings;
    const floor = this.#floor;
    if (epoch !== store.epoch || lastSeq > this.#cursor) {
      this.sink.sendResumed({ type: 'resumed', fromSeq: lastSeq + 1, toSeq: this.#cursor, recovered: false });
      return;
    }
    if (lastSeq >= floor) {
      this.sink.sendResumed({ type: 'resumed', fromSeq: lastSeq + 1, toSeq: lastSeq, recovered: true });
      return;
    }
    if ((await store.firstSeq(this.sink.userId)) > lastSeq + 1) {
      this.sink.sendResumed({ type: 'resumed', fromSeq: lastSeq + 1, toSeq: floor, recovered: false });
      return;
    }
    this.#floor = lastSeq;
    metrics.ledger.confirmed(this.sink.userId, lastSeq);
    this.#backfill = { after: lastSeq, to: floor, fromSeq: lastSeq + 1 };
  }

  /** Writes one page of (after, to] without moving the cursor: it lies below the live range. */
  async #backfillPage(backfill: Backfill): Promise<void> {
    const { store, pageSize, metrics } = this.settings;
    metrics.catchUpPages.inc({ reason: 'backfill' });
    const page = await store.readAfter(this.sink.userId, backfill.after, Math.min(pageSize, backfill.to - backfill.after));
    if (!this.#open()) return;
    let replayed = 0;
    let blocked = false;
    for (const event of page) {
      if (event.seq > backfill.to) break;
      if (this.#pastBound()) {
        blocked = true;
        break;
      }
      this.#send(event);
      backfill.after = event.seq;
      replayed += 1;
    }
    metrics.eventsReplayed.inc(replayed);
    if (blocked || (replayed > 0 && backfill.after < backfill.to)) return;
    // Done: up to `to`, or the store holds nothing more below it (retention dropped the rest
    // while this replayed), which the answer says.
    this.#backfill = undefined;
    this.sink.sendResumed({ type: 'resumed', fromSeq: backfill.fromSeq, toSeq: backfill.to, recovered: backfill.after >= backfill.to });
  }

  /**
   * Waits, when the sink is past its bound, until it has written everything handed to it so
   * far. A sink that does not drain within the slow-consumer timeout is closed. Returns
   * whether the subscriber may go on.
   */
  async #drained(): Promise<boolean> {
    if (!this.#pastBound() || this.#flushed >= this.#written) return this.#open();
    const { slowConsumerTimeoutMs, metrics } = this.settings;
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<'drained'>((resolve) => {
      this.#drainWaiter = { target: this.#written, resolve: () => resolve('drained') };
    });
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), slowConsumerTimeoutMs);
    });
    const outcome = await Promise.race([drained, stalled]);
    clearTimeout(timer);
    this.#drainWaiter = undefined;
    if (outcome === 'stalled' && this.#open()) {
      metrics.slowConsumerCloses.inc();
      const buffered = this.sink.bufferedBytes();
      this.close();
      this.sink.closeSlowConsumer(buffered);
      return false;
    }
    return this.#open();
  }
}
