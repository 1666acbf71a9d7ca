/**
 * When a write-behind queue (the SQLite store's pending appends, the Redis store's outgoing
 * batch) is flushed. The first `quickPerTurn` flushes of a turn of the event loop happen as soon
 * as the callback that queued the item returns (a microtask); later ones wait for the end of the
 * turn (setImmediate), where everything queued meanwhile shares one flush. A quiet server thus
 * sends each event without waiting for the loop to go round — a turn that also reads every
 * socket with data can take milliseconds — and a busy one makes at most quickPerTurn + 1 flushes
 * per turn. The caller schedules once per non-empty queue; each flush takes the whole queue.
 */
export class FlushScheduler {
  #quick = 0;
  readonly #flush: () => void;
  readonly #quickPerTurn: number;
  readonly #newTurn = (): void => {
    this.#quick = 0;
  };

  constructor(flush: () => void, quickPerTurn: number) {
    this.#flush = flush;
    this.#quickPerTurn = quickPerTurn;
  }

  schedule(): void {
    if (this.#quick < this.#quickPerTurn) {
      if (this.#quick === 0) setImmediate(this.#newTurn);
      this.#quick += 1;
      queueMicrotask(this.#flush);
    } else {
      setImmediate(this.#flush);
    }
  }
}
