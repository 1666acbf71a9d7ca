/**
 * Exactly-once, in-order hand-off of agent events to the application. Duplicates are dropped,
 * an early event waits in a bounded buffer until the gap before it is filled, and a gap is
 * reported so the client can ask the server for the missing range. Pure logic, no I/O.
 */
import type { AgentEvent } from '../protocol/events.js';

export interface Accepted {
  /** Events to hand to the application now, in seq order. */
  deliver: AgentEvent[];
  /** true when this event revealed a gap (events are waiting for earlier seqs). */
  gap: boolean;
  duplicate: boolean;
}

export class Sequencer {
  #lastSeq: number;
  #epoch: string | undefined;
  readonly #pending = new Map<number, AgentEvent>();
  readonly #maxPending: number;

  constructor(position?: { lastSeq: number; epoch: string }, maxPending = 10_000) {
    this.#lastSeq = position?.lastSeq ?? 0;
    this.#epoch = position?.epoch;
    this.#maxPending = maxPending;
  }

  /** The highest seq handed over: everything up to it was delivered, once, in order. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  get epoch(): string | undefined {
    return this.#epoch;
  }

  /** Events received ahead of a gap. */
  get waiting(): number {
    return this.#pending.size;
  }

  /** Starts over at a position (a fresh connection at the head, or after recovered: false). */
  reset(epoch: string, lastSeq: number): void {
    if (epoch !== this.#epoch) this.#pending.clear();
    this.#epoch = epoch;
    this.#lastSeq = lastSeq;
    for (const seq of this.#pending.keys()) if (seq <= lastSeq) this.#pending.delete(seq);
  }

  accept(event: AgentEvent): Accepted {
    if (event.epoch !== this.#epoch || event.seq <= this.#lastSeq || this.#pending.has(event.seq)) {
      return { deliver: [], gap: false, duplicate: true };
    }
    if (event.seq !== this.#lastSeq + 1) {
      if (this.#pending.size >= this.#maxPending) this.#dropHighest();
      this.#pending.set(event.seq, event);
      return { deliver: [], gap: true, duplicate: false };
    }
    return { deliver: this.#drainFrom(event), gap: false, duplicate: false };
  }

  /**
   * The server said the range up to `seq` cannot be recovered: move past it and deliver
   * whatever was waiting beyond it.
   */
  skipTo(seq: number): AgentEvent[] {
    if (seq <= this.#lastSeq) return [];
    this.#lastSeq = seq;
    for (const key of this.#pending.keys()) if (key <= seq) this.#pending.delete(key);
    const next = this.#pending.get(seq + 1);
    if (!next) return [];
    this.#pending.delete(seq + 1);
    return this.#drainFrom(next);
  }

  #drainFrom(first: AgentEvent): AgentEvent[] {
    const out = [first];
    this.#lastSeq = first.seq;
    for (let next = this.#pending.get(this.#lastSeq + 1); next; next = this.#pending.get(this.#lastSeq + 1)) {
      this.#pending.delete(next.seq);
      out.push(next);
      this.#lastSeq = next.seq;
    }
    return out;
  }

  /** Bounded memory: the furthest-ahead event goes first; a resume will bring it back. */
  #dropHighest(): void {
    let highest = -1;
    for (const seq of this.#pending.keys()) highest = Math.max(highest, seq);
    this.#pending.delete(highest);
  }
}
