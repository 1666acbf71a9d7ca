/**
 * Server-sent events on an HTTP response, as AG-UI's HTTP binding reads them: one JSON event per
 * `data:` line, blank line between events, comment lines as keep-alives.
 */
import type { ServerResponse } from 'node:http';

export class SseWriter {
  readonly #res: ServerResponse;
  readonly #keepAliveMs: number;
  readonly #maxBufferedBytes: number;
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(res: ServerResponse, options: { keepAliveMs: number; maxBufferedBytes: number }) {
    this.#res = res;
    this.#keepAliveMs = options.keepAliveMs;
    this.#maxBufferedBytes = options.maxBufferedBytes;
  }

  open(): void {
    this.#res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // Proxies such as nginx would otherwise hold events back to fill a buffer.
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    this.#res.flushHeaders();
    this.#keepAlive = setInterval(() => {
      if (this.#writable()) this.#res.write(': keep-alive\n\n');
    }, this.#keepAliveMs).unref();
  }

  /**
   * Writes the events. A slow reader is buffered up to the limit; past it this returns false and
   * the caller drops the client (the run's events stay in the store for it to fetch).
   */
  send(events: readonly object[]): boolean {
    if (!this.#writable()) return true;
    if (events.length > 0) this.#res.write(events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join(''));
    return this.#res.writableLength <= this.#maxBufferedBytes;
  }

  end(): void {
    this.stop();
    if (this.#writable()) this.#res.end();
  }

  stop(): void {
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  #writable(): boolean {
    return !this.#res.writableEnded && !this.#res.destroyed;
  }
}
