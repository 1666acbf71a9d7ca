import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RunView, Sequencer, backoffDelay, type AgentEvent } from 'agentwire/client';

function event(seq: number, epoch = 'e1', type: AgentEvent['type'] = 'agent_message_delta'): AgentEvent {
  return { v: 1, type, seq, epoch, eventId: `ev${seq}`, runId: 'run_x', threadId: 'thr_x', userId: 'u', agentName: 'a', ts: new Date(0).toISOString(), data: { delta: String(seq) } } as AgentEvent;
}

describe('Sequencer', () => {
  it('delivers any arrival order with duplicates exactly once, in seq order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()].map((i) => i + 1), { minLength: n, maxLength: n }), fc.array(fc.integer({ min: 1, max: n }), { maxLength: 30 }))),
        ([n, order, dupes]) => {
          const sequencer = new Sequencer({ lastSeq: 0, epoch: 'e1' });
          const delivered: number[] = [];
          const arrivals = [...order];
          for (const d of dupes) arrivals.splice(Math.floor(arrivals.length / 2), 0, d);
          for (const seq of arrivals) delivered.push(...sequencer.accept(event(seq)).deliver.map((e) => e.seq));
          expect(delivered).toEqual([...Array(n).keys()].map((i) => i + 1));
          expect(sequencer.waiting).toBe(0);
        },
      ),
    );
  });

  it('reports a gap and holds later events until it is filled', () => {
    const sequencer = new Sequencer({ lastSeq: 0, epoch: 'e1' });
    expect(sequencer.accept(event(1)).deliver.map((e) => e.seq)).toEqual([1]);
    expect(sequencer.accept(event(3))).toMatchObject({ deliver: [], gap: true });
    expect(sequencer.accept(event(4)).deliver).toEqual([]);
    expect(sequencer.accept(event(2)).deliver.map((e) => e.seq)).toEqual([2, 3, 4]);
  });

  it('skips past an unrecoverable range and delivers what waited beyond it', () => {
    const sequencer = new Sequencer({ lastSeq: 0, epoch: 'e1' });
    sequencer.accept(event(5));
    sequencer.accept(event(6));
    expect(sequencer.skipTo(4).map((e) => e.seq)).toEqual([5, 6]);
    expect(sequencer.lastSeq).toBe(6);
  });

  it('drops events of another epoch, and a new epoch clears what waited', () => {
    const sequencer = new Sequencer({ lastSeq: 3, epoch: 'e1' });
    expect(sequencer.accept(event(4, 'old')).duplicate).toBe(true);
    sequencer.accept(event(9));
    sequencer.reset('e2', 0);
    expect(sequencer.waiting).toBe(0);
    expect(sequencer.accept(event(1, 'e2')).deliver.map((e) => e.seq)).toEqual([1]);
  });
});

describe('backoff', () => {
  it('is full-jitter exponential with a cap', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 };
    expect(backoffDelay(0, options, () => 0.999)).toBe(99);
    expect(backoffDelay(3, options, () => 0.999)).toBe(799);
    expect(backoffDelay(10, options, () => 0.999)).toBe(999);
    expect(backoffDelay(10, options, () => 0)).toBe(0);
  });
});

describe('RunView', () => {
  it('iterates with for-await until the terminal event, and resolves done', async () => {
    const view = new RunView('run_x');
    view.push(event(1));
    const seen: number[] = [];
    const iterating = (async () => {
      for await (const e of view) seen.push(e.seq);
    })();
    view.push(event(2));
    setTimeout(() => view.push({ ...event(3, 'e1', 'agent_completed'), data: { result: 1, durationMs: 1 } } as AgentEvent), 10);
    await iterating;
    expect(seen).toEqual([1, 2, 3]);
    expect((await view.done).seq).toBe(3);
    view.push(event(4));
    expect(view.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});
