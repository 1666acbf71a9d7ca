/**
 * A bystander: a user who is connected for the whole of an attack and keeps running the
 * `stream` diagnostic agent, back to back. "Other users never notice" is checked on what the
 * bystander's socket actually received: exactly its own runs' events, gapless, each run ending
 * with agent_completed, no error, no close, and delivery latency measured per event.
 */
import { expect } from 'vitest';
import type { AgentEvent, ServerMessage } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import { streamInput } from '../../helpers/server.js';
import { signToken } from '../../helpers/tokens.js';
import { TestClient, range, seqs } from '../../helpers/ws-client.js';

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export class Bystander {
  readonly #client: TestClient;
  readonly #runIds: string[] = [];
  /** Arrival time (ms) of each event, by seq. */
  readonly #arrivals = new Map<number, number>();
  #stopping = false;
  #loop: Promise<void> = Promise.resolve();
  #closedEarly: { code: number } | undefined;
  #failure: unknown;

  private constructor(
    client: TestClient,
    readonly userId: string,
    readonly events: number,
    readonly intervalMs: number,
  ) {
    this.#client = client;
    client.socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerMessage;
      if ('seq' in frame && 'eventId' in frame) this.#arrivals.set(frame.seq, Date.now());
    });
    void client.closed.then((closed) => {
      if (!this.#stopping) this.#closedEarly = closed;
    });
  }

  /** Connects and starts running back to back. */
  static async start(server: AgentwireServer, userId: string, options: { events?: number; intervalMs?: number } = {}): Promise<Bystander> {
    const client = await TestClient.open(server.wsUrl, await signToken(userId));
    const bystander = new Bystander(client, userId, options.events ?? 20, options.intervalMs ?? 5);
    bystander.#loop = bystander.#run();
    return bystander;
  }

  get completedRuns(): number {
    return this.#client.events().filter((e) => e.type === 'agent_completed').length;
  }

  /** Resolves once `more` further runs have completed (proof that it kept working meanwhile). */
  async completesMore(more = 1, timeoutMs = 20_000): Promise<void> {
    const target = this.completedRuns + more;
    await this.#client.waitUntil(() => this.completedRuns >= target || this.#closedEarly !== undefined || this.#failure !== undefined, timeoutMs);
    this.expectUnharmed();
  }

  /** Delivery latency (arrival minus the event's ts) of the events that arrived in [from, to]. */
  latency(from = 0, to = Number.POSITIVE_INFINITY): LatencySummary {
    const samples: number[] = [];
    for (const event of this.#client.events()) {
      const arrived = this.#arrivals.get(event.seq);
      if (arrived !== undefined && arrived >= from && arrived <= to) samples.push(arrived - Date.parse(event.ts));
    }
    samples.sort((a, b) => a - b);
    const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
    return { count: samples.length, p50: at(0.5), p99: at(0.99), max: samples[samples.length - 1] ?? 0 };
  }

  /**
   * Everything the bystander received so far is its own, gapless and complete: the first frame
   * is connection_established, then only run_accepted frames for its own submissions and its own
   * agent events, seqs head+1, head+2, … without a gap or a repeat.
   */
  expectUnharmed(): void {
    expect(this.#closedEarly).toBeUndefined();
    expect(this.#failure).toBeUndefined();
    const frames = this.#client.frames;
    expect(frames[0]?.type).toBe('connection_established');
    const head = this.#client.established.lastSeq;
    const unexpected = frames.slice(1).filter((f) => f.type !== 'run_accepted' && !('seq' in f && 'eventId' in f));
    expect(unexpected).toEqual([]);
    const events = this.#client.events();
    expect(events.every((e) => e.userId === this.userId)).toBe(true);
    expect(seqs(events)).toEqual(range(head + 1, head + events.length));
    const accepted = new Set(frames.flatMap((f) => (f.type === 'run_accepted' ? [f.runId] : [])));
    expect(events.every((e) => accepted.has(e.runId))).toBe(true);
    for (const runId of this.#runIds) expectCompleteRun(this.#client.runEvents(runId), this.events);
  }

  /** Stops after the run in flight, checks everything, and closes. */
  async stop(): Promise<void> {
    await this.idle();
    await this.#client.close();
  }

  /** Stops running (staying connected) once the run in flight is over, and checks everything. */
  async idle(): Promise<void> {
    this.#stopping = true;
    await this.#loop;
    this.expectUnharmed();
  }

  /** Runs again after idle(). */
  resume(): void {
    if (!this.#stopping) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (!this.#stopping && this.#closedEarly === undefined) {
        const { runId } = await this.#client.submit(streamInput(this.events, this.intervalMs), { agent: 'stream' });
        await this.#client.terminalOf(runId, 30_000);
        this.#runIds.push(runId);
      }
    } catch (error) {
      // Reported by expectUnharmed(), in the test that was running.
      this.#failure = error;
    }
  }
}

/** One run of the stream agent, whole: agent_started, `deltas` deltas in order, agent_completed last. */
export function expectCompleteRun(events: AgentEvent[], deltas: number): void {
  expect(events.map((e) => e.type)).toEqual(['agent_started', ...Array<string>(deltas).fill('agent_message_delta'), 'agent_completed']);
  const labels = events.filter((e) => e.type === 'agent_message_delta').map((e) => e.data.delta.slice(0, 8));
  expect(labels).toEqual(range(1, deltas).map((i) => `#${String(i).padStart(6, '0')} `));
}
