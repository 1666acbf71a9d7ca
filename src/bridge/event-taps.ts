/**
 * EventTaps: lets in-process consumers (the AG-UI endpoint) watch the events this node's bridge
 * publishes, by user. It sits on the bridge's fan-out, after the store assigned the seq, so a tap
 * sees exactly what the user's sockets get, in the same order. It is not a second publish path:
 * nothing reaches a socket through it.
 *
 * Only events published on this node are seen, which is enough for a consumer that watches a
 * run this node executes (the engine always executes the runs it admits).
 */
import type { StoredEvent } from '../store/event-store.js';
import type { Fanout } from './agent-websocket-bridge.js';

export type TapListener = (event: StoredEvent) => void;

export class EventTaps {
  readonly #byUser = new Map<string, Set<TapListener>>();
  readonly #onError: (error: unknown) => void;

  /** `onError` hears a listener that threw; the other listeners and the publish go on. */
  constructor(options: { onError: (error: unknown) => void }) {
    this.#onError = options.onError;
  }

  /** Wraps the bridge's fan-out so that taps see every event it publishes, after it. */
  wrap(fanout: Fanout): Fanout {
    return {
      publish: (event) => {
        fanout.publish(event);
        this.publish(event);
      },
    };
  }

  /** Listens to one user's events; returns the function that stops listening. */
  subscribe(userId: string, listener: TapListener): () => void {
    let listeners = this.#byUser.get(userId);
    if (!listeners) {
      listeners = new Set();
      this.#byUser.set(userId, listeners);
    }
    listeners.add(listener);
    return () => {
      const current = this.#byUser.get(userId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.#byUser.delete(userId);
    };
  }

  publish(event: StoredEvent): void {
    const listeners = this.#byUser.get(event.userId);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
