/**
 * The EventStore contract: every back-end runs this same suite. A back-end is done when it
 * passes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { EventDraft, EventStore, RetentionPolicy, RunRecord } from 'agentwire/server';

export interface StoreHarness {
  /** A new, empty store. */
  create(retention?: Partial<RetentionPolicy>): Promise<EventStore>;
  /** The same data reopened (a restart); undefined for back-ends that do not persist. */
  reopen?(store: EventStore): Promise<EventStore>;
}

let counter = 0;
export function draft(userId: string, overrides: Partial<EventDraft> = {}): EventDraft {
  counter += 1;
  return {
    type: 'agent_message_delta',
    eventId: `ev${counter}`,
    runId: 'run_AAAAAAAAAAAAAAAAAAAAAA',
    threadId: 'thr_AAAAAAAAAAAAAAAAAAAAAA',
    userId,
    agentName: 'test',
    ts: Date.now(),
    data: { delta: `d${counter}` },
    ...overrides,
  };
}

function run(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: `run_${'R'.repeat(22)}`,
    userId: 'alice',
    threadId: `thr_${'T'.repeat(22)}`,
    agentName: 'assistant',
    clientMessageId: 'cm1',
    status: 'queued',
    createdAt: Date.now(),
    nodeId: 'local',
    ...overrides,
  };
}

export function storeContract(name: string, harness: StoreHarness): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(async () => {
      await store.close();
    });

    it('assigns gapless per-user seqs starting at 1, independently per user', async () => {
      const a = await Promise.all([1, 2, 3].map(() => store.append(draft('alice'))));
      const b = await store.append(draft('bob'));
      const a4 = await store.append(draft('alice'));
      expect(a.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(b.seq).toBe(1);
      expect(a4.seq).toBe(4);
      expect(await store.lastSeq('alice')).toBe(4);
      expect(await store.lastSeq('bob')).toBe(1);
      expect(await store.lastSeq('nobody')).toBe(0);
    });

    it('stores the exact wire frame with seq and epoch', async () => {
      const event = await store.append(draft('alice', { data: { delta: 'hello' } }));
      const frame = JSON.parse(event.frame);
      expect(frame).toMatchObject({ v: 1, type: 'agent_message_delta', seq: 1, epoch: store.epoch, userId: 'alice', data: { delta: 'hello' } });
      expect(new Date(frame.ts).toISOString()).toBe(frame.ts);
      const [read] = await store.readAfter('alice', 0, 10);
      expect(read?.frame).toBe(event.frame);
    });

    it('reads after a seq, in order, with a limit, and only the user\'s own events', async () => {
      for (let i = 0; i < 10; i++) {
        await store.append(draft('alice'));
        await store.append(draft('bob'));
      }
      const page = await store.readAfter('alice', 3, 4);
      expect(page.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
      expect(page.every((e) => e.userId === 'alice')).toBe(true);
      expect(await store.readAfter('alice', 10, 5)).toEqual([]);
    });

    it('keeps seqs gapless and ordered under any interleaving of users (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom('u1', 'u2', 'u3'), { minLength: 1, maxLength: 60 }), async (users) => {
          const fresh = await harness.create();
          try {
            const results = await Promise.all(users.map((u) => fresh.append(draft(u))));
            for (const user of new Set(users)) {
              const mine = results.filter((e) => e.userId === user).map((e) => e.seq);
              expect(mine).toEqual(mine.map((_, i) => i + 1));
              expect((await fresh.readAfter(user, 0, 1000)).map((e) => e.seq)).toEqual(mine);
            }
          } finally {
            await fresh.close();
          }
        }),
        { numRuns: 25 },
      );
    });

    it('retains at most maxEventsPerUser events, dropping the oldest', async () => {
      const small = await harness.create({ maxEventsPerUser: 5 });
      try {
        for (let i = 0; i < 12; i++) await small.append(draft('alice'));
        expect((await small.readAfter('alice', 0, 100)).map((e) => e.seq)).toEqual([8, 9, 10, 11, 12]);
        expect(await small.firstSeq('alice')).toBe(8);
        expect(await small.lastSeq('alice')).toBe(12);
      } finally {
        await small.close();
      }
    });

    it('drops events older than maxAgeMs on prune, and firstSeq moves past them', async () => {
      const aged = await harness.create({ maxAgeMs: 1000 });
      try {
        const now = Date.now();
        await aged.append(draft('alice', { ts: now - 5000 }));
        await aged.append(draft('alice', { ts: now - 4000 }));
        await aged.append(draft('alice', { ts: now }));
        expect(await aged.prune(now)).toBe(2);
        expect((await aged.readAfter('alice', 0, 10)).map((e) => e.seq)).toEqual([3]);
        expect(await aged.firstSeq('alice')).toBe(3);
        await aged.prune(now + 10_000);
        expect(await aged.firstSeq('alice')).toBe(4);
        expect(await aged.lastSeq('alice')).toBe(3);
      } finally {
        await aged.close();
      }
    });

    it('firstSeq is 1 for a new user', async () => {
      expect(await store.firstSeq('new-user')).toBe(1);
    });

    it('reads one thread of one user', async () => {
      const t1 = `thr_${'1'.repeat(22)}`;
      const t2 = `thr_${'2'.repeat(22)}`;
      await store.append(draft('alice', { threadId: t1 }));
      await store.append(draft('alice', { threadId: t2 }));
      await store.append(draft('alice', { threadId: t1 }));
      await store.append(draft('bob', { threadId: t1 }));
      expect((await store.readThread('alice', t1, 0, 10)).map((e) => e.seq)).toEqual([1, 3]);
      expect((await store.readThread('alice', t1, 1, 10)).map((e) => e.seq)).toEqual([3]);
    });

    it('records thread ownership and lists a user\'s threads, newest first', async () => {
      await store.createThread({ threadId: `thr_${'a'.repeat(22)}`, userId: 'alice', title: 'first', createdAt: 1, updatedAt: 1 });
      await store.createThread({ threadId: `thr_${'b'.repeat(22)}`, userId: 'alice', title: 'second', createdAt: 2, updatedAt: 2 });
      await store.createThread({ threadId: `thr_${'c'.repeat(22)}`, userId: 'bob', title: 'bob', createdAt: 3, updatedAt: 3 });
      // A second create of the same id never changes its owner.
      await store.createThread({ threadId: `thr_${'a'.repeat(22)}`, userId: 'bob', title: 'hijack', createdAt: 4, updatedAt: 4 });
      expect((await store.getThread(`thr_${'a'.repeat(22)}`))?.userId).toBe('alice');
      expect((await store.listThreads('alice', 10)).map((t) => t.title)).toEqual(['second', 'first']);
      expect(await store.getThread('thr_missing')).toBeUndefined();
    });

    it('claims a run idempotently on (user, clientMessageId)', async () => {
      const first = await store.claimRun(run());
      const again = await store.claimRun(run({ runId: `run_${'S'.repeat(22)}` }));
      const otherUser = await store.claimRun(run({ runId: `run_${'U'.repeat(22)}`, userId: 'bob' }));
      expect(first.created).toBe(true);
      expect(again).toMatchObject({ created: false, run: { runId: `run_${'R'.repeat(22)}` } });
      expect(otherUser.created).toBe(true);
      expect((await store.runByClientMessage('alice', 'cm1'))?.runId).toBe(`run_${'R'.repeat(22)}`);
      expect(await store.runByClientMessage('alice', 'nope')).toBeUndefined();
    });

    it('ends a run record atomically with its terminal event', async () => {
      const record = run();
      await store.claimRun(record);
      await store.setRunStatus(record.runId, 'running');
      expect((await store.unfinishedRuns('local')).map((r) => r.runId)).toEqual([record.runId]);
      await store.append(draft('alice', { runId: record.runId, type: 'agent_completed', data: { result: null, durationMs: 1 } }));
      expect((await store.getRun(record.runId))?.status).toBe('completed');
      expect(await store.unfinishedRuns('local')).toEqual([]);
    });

    it('refuses any event, terminal or not, for a run that has ended, without using a seq', async () => {
      const record = run();
      await store.claimRun(record);
      await store.append(draft('alice', { runId: record.runId, type: 'agent_death', data: { cause: 'node_lost', message: 'gone' } }));
      const head = await store.lastSeq('alice');
      await expect(store.append(draft('alice', { runId: record.runId, type: 'agent_completed', data: { result: null, durationMs: 1 } }))).rejects.toMatchObject({ code: 'RUN_CLOSED' });
      await expect(store.append(draft('alice', { runId: record.runId }))).rejects.toMatchObject({ code: 'RUN_CLOSED' });
      expect(await store.lastSeq('alice')).toBe(head);
      expect((await store.getRun(record.runId))?.status).toBe('died');
    });

    it('settles appends issued together one by one: a refused one takes no seq and stops none of the others', async () => {
      const ending = run();
      const other = run({ runId: `run_${'O'.repeat(22)}`, clientMessageId: 'cm2' });
      await store.claimRun(ending);
      await store.claimRun(other);
      // Issued in one turn of the event loop: one transaction on SQLite, one script call on Redis.
      const results = await Promise.allSettled([
        store.append(draft('alice', { runId: ending.runId })),
        store.append(draft('alice', { runId: ending.runId, type: 'agent_completed', data: { result: null, durationMs: 1 } })),
        store.append(draft('alice', { runId: ending.runId })),
        store.append(draft('alice', { runId: other.runId })),
        store.append(draft('bob', { runId: other.runId })),
      ]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value.seq : (r.reason as { code: string }).code))).toEqual([1, 2, 'RUN_CLOSED', 3, 1]);
      expect((await store.readAfter('alice', 0, 10)).map((e) => [e.seq, e.runId, e.type])).toEqual([
        [1, ending.runId, 'agent_message_delta'],
        [2, ending.runId, 'agent_completed'],
        [3, other.runId, 'agent_message_delta'],
      ]);
      expect((await store.getRun(ending.runId))?.status).toBe('completed');
    });

    it('is healthy while open', async () => {
      expect(await store.healthy()).toBe(true);
    });

    if (harness.reopen) {
      it('keeps epoch, seqs, threads and runs across a restart', async () => {
        await store.append(draft('alice'));
        await store.append(draft('alice'));
        await store.claimRun(run());
        const epoch = store.epoch;
        const reopened = await harness.reopen!(store);
        store = reopened;
        expect(reopened.epoch).toBe(epoch);
        expect(await reopened.lastSeq('alice')).toBe(2);
        expect((await reopened.append(draft('alice'))).seq).toBe(3);
        expect((await reopened.readAfter('alice', 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
        expect((await reopened.runByClientMessage('alice', 'cm1'))?.runId).toBeDefined();
        // A log emptied by age pruning still continues from its head after a restart.
        await reopened.append(draft('carol', { ts: 1 }));
        await reopened.append(draft('carol', { ts: 2 }));
        await reopened.prune(Date.now() + 365 * 24 * 3600_000);
        const again = await harness.reopen!(reopened);
        store = again;
        expect(await again.lastSeq('carol')).toBe(2);
        expect((await again.append(draft('carol'))).seq).toBe(3);
      });
    }
  });
}
