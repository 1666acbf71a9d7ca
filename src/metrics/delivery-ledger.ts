/**
 * The delivery ratio, from acks. For every user this process has seen publish, it keeps the
 * range of seqs published while it ran and the highest seq a client of that user confirmed (a
 * cumulative ack, or the lastSeq it resumed from: a client that resumes from L holds everything
 * up to L). The ratio is confirmed ÷ published over events published by this process; it
 * never counts an event as delivered before a client said it has it.
 */
interface UserLedger {
  /** First seq published while this process ran. */
  first: number;
  last: number;
  confirmed: number;
}

/** Users tracked at most; past it the earliest-seen are forgotten first. */
const MAX_USERS = 100_000;

export class DeliveryLedger {
  readonly #users = new Map<string, UserLedger>();

  published(userId: string, seq: number): void {
    const user = this.#users.get(userId);
    if (!user) {
      if (this.#users.size >= MAX_USERS) this.#users.delete(this.#users.keys().next().value as string);
      this.#users.set(userId, { first: seq, last: seq, confirmed: 0 });
      return;
    }
    if (seq > user.last) user.last = seq;
    if (seq < user.first) user.first = seq;
  }

  /** A client of the user holds every event up to seq. */
  confirmed(userId: string, seq: number): void {
    const user = this.#users.get(userId);
    if (user && seq > user.confirmed) user.confirmed = seq;
  }

  /** Events published by this process, and how many of them a client confirmed. */
  totals(): { published: number; confirmed: number } {
    let published = 0;
    let confirmed = 0;
    for (const user of this.#users.values()) {
      published += user.last - user.first + 1;
      confirmed += Math.max(0, Math.min(user.confirmed, user.last) - user.first + 1);
    }
    return { published, confirmed };
  }

  /** confirmed ÷ published; 1 when nothing was published. */
  ratio(): number {
    const { published, confirmed } = this.totals();
    return published === 0 ? 1 : confirmed / published;
  }
}
