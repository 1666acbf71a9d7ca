/**
 * One run's events as the application sees them: a snapshot, a subscription, an async
 * iterator that ends at the terminal event, and a promise of that terminal event.
 */
import { isTerminalType, type AgentEvent } from '../protocol/events.js';

export type TerminalEvent = Extract<AgentEvent, { type: 'agent_completed' | 'agent_error' | 'agent_death' }>;

export class RunView implements AsyncIterable<AgentEvent> {
  readonly runId: string;
  readonly #events: AgentEvent[] = [];
  readonly #listeners = new Set<(event: AgentEvent) => void>();
  #waiters: (() => void)[] = [];
  #terminal: TerminalEvent | undefined;
  #resolveDone!: (event: TerminalEvent) => void;
  /** Resolves with the run's terminal event. */
  readonly done: Promise<TerminalEvent>;

  constructor(runId: string) {
    this.runId = runId;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  /** Events so far, in seq order. */
  get events(): readonly AgentEvent[] {
    return this.#events;
  }

  get terminal(): TerminalEvent | undefined {
    return this.#terminal;
  }

  get finished(): boolean {
    return this.#terminal !== undefined;
  }

  /** Calls the listener with every event so far, then with each new one. Returns unsubscribe. */
  subscribe(listener: (event: AgentEvent) => void): () => void {
    for (const event of this.#events) listener(event);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
    let index = 0;
    for (;;) {
      while (index < this.#events.length) {
        const event = this.#events[index++] as AgentEvent;
        yield event;
        if (isTerminalType(event.type)) return;
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
      });
    }
  }

  /** Client-internal: appends the next event of this run. */
  push(event: AgentEvent): void {
    if (this.#terminal) return;
    this.#events.push(event);
    if (isTerminalType(event.type)) {
      this.#terminal = event as TerminalEvent;
      this.#resolveDone(this.#terminal);
    }
    for (const listener of [...this.#listeners]) listener(event);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
