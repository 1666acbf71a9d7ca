/**
 * Live fan-out across nodes. The append script publishes every event on one channel, in the
 * same atomic step that gives it its seq, so the channel carries each user's events in seq
 * order. Every node subscribes and hands the events of users connected to it to its
 * WebSocketNotifier; the node that appended an event also delivers it at once (publish()),
 * and its copy from the channel is then a no-op (the notifier's cursor has passed it).
 *
 * Pub/sub is at-most-once: a subscriber that was disconnected (Redis restart, failover,
 * output-buffer limit) missed what was published meanwhile, and nothing later may reveal the
 * gap. So after every reconnect the node resubscribes and then catches every open stream up
 * from the store (WebSocketNotifier.resyncAll): anything appended before the subscription was
 * back is read from the stream, anything after arrives on the channel.
 *
 * One channel for all users keeps subscriptions static (no subscribe/unsubscribe per
 * connection, no window where a new connection is not yet subscribed); the cost is that every
 * node receives every event, a header parse per event for users that are not connected to it.
 */
import type { Redis } from 'ioredis';
import type { Fanout } from '../bridge/agent-websocket-bridge.js';
import type { StoredEvent } from '../store/event-store.js';
import type { WebSocketNotifier } from '../transport/websocket-notifier.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../errors/agentwire-error.js';
import { eventFromFrame } from './redis-records.js';

export interface RedisFanoutOptions {
  /** A dedicated connection: in subscriber mode it can do nothing else. */
  subscriber: Redis;
  channel: string;
  notifier: WebSocketNotifier;
  metrics: Metrics;
  logger: Logger;
}

export class RedisFanout implements Fanout {
  readonly #o: RedisFanoutOptions;
  #started = false;
  #resyncs = 0;

  constructor(options: RedisFanoutOptions) {
    this.#o = options;
  }

  /** How many times the node caught its streams up after the subscription came back. */
  get resyncs(): number {
    return this.#resyncs;
  }

  /** The appending node's own delivery; every other node gets the event from the channel. */
  publish(event: StoredEvent): void {
    this.#o.notifier.notify(event);
  }

  async start(): Promise<void> {
    const { subscriber, channel } = this.#o;
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) this.#onMessage(message);
    });
    subscriber.on('ready', () => {
      if (this.#started) this.#resubscribed();
    });
    if (subscriber.status === 'wait') await subscriber.connect();
    await subscriber.subscribe(channel);
    this.#started = true;
  }

  async close(): Promise<void> {
    this.#started = false;
    if (this.#o.subscriber.status === 'ready') await this.#o.subscriber.quit().catch(() => undefined);
    this.#o.subscriber.disconnect();
  }

  /**
   * `seq \n ts \n userId \n frame` records joined by `\n`, as the append script publishes a
   * batch (a frame is JSON and a user id printable: neither holds a newline).
   */
  #onMessage(message: string): void {
    let at = 0;
    while (at < message.length) {
      const a = message.indexOf('\n', at);
      const b = message.indexOf('\n', a + 1);
      const c = message.indexOf('\n', b + 1);
      if (a < 0 || b < 0 || c < 0) {
        this.#o.metrics.backgroundErrors.inc({ loop: 'redis_fanout' });
        this.#o.logger.error('ignored a malformed fan-out message', { length: message.length, at });
        return;
      }
      let end = message.indexOf('\n', c + 1);
      if (end < 0) end = message.length;
      const userId = message.slice(b + 1, c);
      // Most events on the channel belong to users connected elsewhere: skip them before parsing.
      if (this.#o.notifier.connectionsOf(userId) > 0) this.#deliver(userId, message.slice(at, a), message.slice(a + 1, b), message.slice(c + 1, end));
      at = end + 1;
    }
  }

  #deliver(userId: string, seq: string, ts: string, frame: string): void {
    let event: StoredEvent;
    try {
      event = eventFromFrame(userId, Number(seq), Number(ts), frame);
    } catch (error) {
      this.#o.metrics.backgroundErrors.inc({ loop: 'redis_fanout' });
      this.#o.logger.error('ignored an unreadable fan-out message', { error: errorMessage(error) });
      return;
    }
    this.#o.notifier.notify(event);
  }

  /**
   * ioredis has re-sent SUBSCRIBE on the new connection; subscribing again returns once the
   * server has confirmed (replies come in order), and only then is the catch-up read safe.
   */
  #resubscribed(): void {
    const { subscriber, channel, notifier, logger, metrics } = this.#o;
    subscriber.subscribe(channel).then(
      () => {
        this.#resyncs += 1;
        logger.info('fan-out subscription is back; catching every stream up from the store', { channel });
        notifier.resyncAll();
      },
      (error: unknown) => {
        metrics.backgroundErrors.inc({ loop: 'redis_fanout' });
        logger.error('could not resubscribe to fan-out; streams catch up at the next reconnect', { error: errorMessage(error) });
      },
    );
  }
}
