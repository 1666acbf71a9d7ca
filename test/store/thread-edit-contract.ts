/**
 * Renaming and deleting threads: the same suite for every store (memory, SQLite, Redis). A
 * deleted thread's events are gone from every read, the other threads' stay, and the seq head
 * never moves back, not even across a reopen.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from 'agentwire/server';
import { draft, type StoreHarness } from './store-contract.js';

const KEEP = `thr_${'K'.repeat(22)}`;
const DROP = `thr_${'D'.repeat(22)}`;

export function threadEditContract(name: string, harness: StoreHarness): void {
  describe(`EventStore thread edits: ${name}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(async () => {
      await store.close();
    });

    async function seed(user: string): Promise<void> {
      const now = Date.now();
      await store.createThread({ threadId: KEEP, userId: user, title: 'keep me', createdAt: now, updatedAt: now });
      await store.createThread({ threadId: DROP, userId: user, title: 'drop me', createdAt: now, updatedAt: now + 1 });
      for (const threadId of [KEEP, DROP, KEEP, DROP]) await store.append(draft(user, { threadId }));
    }

    it('renames a thread, and says undefined for one that does not exist', async () => {
      await seed('edit-ann');
      const renamed = await store.renameThread(KEEP, 'Arithmetic with Ann');
      expect(renamed).toMatchObject({ threadId: KEEP, userId: 'edit-ann', title: 'Arithmetic with Ann' });
      expect((await store.getThread(KEEP))?.title).toBe('Arithmetic with Ann');
      expect((await store.listThreads('edit-ann', 10)).map((t) => t.title).sort()).toEqual(['Arithmetic with Ann', 'drop me']);
      expect(await store.renameThread(`thr_${'X'.repeat(22)}`, 'nothing')).toBeUndefined();
    });

    it('deletes a thread with its events; the other thread and the seq head stay', async () => {
      await seed('edit-ben');
      expect(await store.deleteThread(DROP)).toBe(true);
      expect(await store.getThread(DROP)).toBeUndefined();
      expect((await store.listThreads('edit-ben', 10)).map((t) => t.threadId)).toEqual([KEEP]);
      expect(await store.readThread('edit-ben', DROP, 0, 100)).toEqual([]);
      expect((await store.readAfter('edit-ben', 0, 100)).map((e) => [e.seq, e.threadId])).toEqual([
        [1, KEEP],
        [3, KEEP],
      ]);
      expect(await store.lastSeq('edit-ben')).toBe(4);
      // The next event gets seq 5: a deleted seq is never handed out again.
      expect((await store.append(draft('edit-ben', { threadId: KEEP }))).seq).toBe(5);
      expect(await store.deleteThread(DROP)).toBe(false);
    });

    it('keeps the head after deleting the newest events, across a reopen', async () => {
      if (!harness.reopen) return;
      await seed('edit-cat');
      await store.deleteThread(DROP);
      store = await harness.reopen(store);
      expect(await store.lastSeq('edit-cat')).toBe(4);
      expect((await store.append(draft('edit-cat', { threadId: KEEP }))).seq).toBe(5);
    });
  });
}
