import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { SqliteEventStore, type CheckpointFailure, type EventDraft, type EventStore, type RetentionPolicy } from 'agentwire/server';
import { storeContract } from './store-contract.js';
import { threadEditContract } from './thread-edit-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'agentwire-sqlite-'));
let n = 0;
const paths = new WeakMap<EventStore, string>();

const sqlite = {
  create: (retention?: Partial<RetentionPolicy>) => {
    const path = join(dir, `store-${++n}.db`);
    const store = new SqliteEventStore(path, retention ? { retention } : {});
    paths.set(store, path);
    return Promise.resolve(store);
  },
  reopen: async (store: EventStore) => {
    const path = paths.get(store)!;
    await store.close();
    const reopened = new SqliteEventStore(path);
    paths.set(reopened, path);
    return reopened;
  },
};
storeContract('sqlite', sqlite);
threadEditContract('sqlite', sqlite);

describe('sqlite file', () => {
  const draft = (userId: string, i: number): EventDraft => ({
    type: 'agent_message_delta',
    eventId: `e-${userId}-${i}`,
    runId: `run-${userId}`,
    threadId: `thread-${userId}`,
    userId,
    agentName: 'stream',
    ts: Date.now(),
    data: { delta: 'x'.repeat(60) },
  });

  it('keeps its write-ahead log bounded under a steady stream of commits', async () => {
    const path = join(dir, `wal-${++n}.db`);
    const store = new SqliteEventStore(path, { checkpoint: { everyMs: 20, restartFrames: 256, gapFrames: 64 } });
    let walMax = 0;
    let appended = 0;
    try {
      // A commit every 0.2 ms (about 40 MB/s of log): never a pause long enough for a passive
      // checkpoint (a copy and two fsyncs) to find the whole log copied.
      // A count, not a time window: a loaded machine appends slower, never fewer.
      while (appended < 5_000) {
        const next = performance.now() + 0.2;
        await store.append(draft(`user-${appended % 500}`, appended));
        appended += 1;
        if (appended % 50 === 0) walMax = Math.max(walMax, statSync(`${path}-wal`).size);
        while (performance.now() < next);
      }
      const head = await store.lastSeq('user-0');
      expect((await store.readAfter('user-0', 0, 100_000)).map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
    // Unbounded, the log holds every page written: 8 KiB or so per event, 40 MB here.
    expect(walMax).toBeLessThan(32 * 1024 * 1024);
  });

  it('refuses checkpoint settings that are not positive integers, with a CONFIG error', () => {
    for (const checkpoint of [{ restartFrames: 0 }, { everyMs: -5 }, { gapFrames: 1.5 }, { restartFrames: Number.NaN }]) {
      expect(() => new SqliteEventStore(join(dir, `bad-${++n}.db`), { checkpoint })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    }
  });

  it('opens a file of the earlier layout (events keyed by user and seq) with its events, seqs and epoch', async () => {
    const path = join(dir, `v1-${++n}.db`);
    const old = new Database(path);
    old.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE events (
        user_id TEXT NOT NULL, seq INTEGER NOT NULL, thread_id TEXT NOT NULL, run_id TEXT NOT NULL,
        type TEXT NOT NULL, ts INTEGER NOT NULL, frame TEXT NOT NULL,
        PRIMARY KEY (user_id, seq)) WITHOUT ROWID;
      CREATE INDEX events_by_thread ON events (user_id, thread_id, seq);
      CREATE INDEX events_by_ts ON events (ts);
      INSERT INTO meta VALUES ('epoch', 'epoch-from-v1');`);
    const insert = old.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let seq = 1; seq <= 3; seq += 1) insert.run('alice', seq, 'thread-a', 'run-a', 'agent_message_delta', 1_000 + seq, `{"seq":${seq}}`);
    insert.run('bob', 1, 'thread-b', 'run-b', 'agent_message_delta', 1_001, '{"seq":1}');
    old.close();

    const store = new SqliteEventStore(path);
    try {
      expect(store.epoch).toBe('epoch-from-v1');
      expect((await store.readAfter('alice', 0, 10)).map((e) => [e.seq, e.frame])).toEqual([[1, '{"seq":1}'], [2, '{"seq":2}'], [3, '{"seq":3}']]);
      expect((await store.readThread('bob', 'thread-b', 0, 10)).map((e) => e.seq)).toEqual([1]);
      expect((await store.append(draft('alice', 4))).seq).toBe(4);
    } finally {
      await store.close();
    }
  });
});

describe('sqlite checkpoint thread', () => {
  it('reports its failure to the store (never dropped) and the store turns unhealthy', async () => {
    const path = join(dir, `checkpoint-fails-${++n}.db`);
    const failures: CheckpointFailure[] = [];
    const store = new SqliteEventStore(path, { checkpoint: { everyMs: 20 }, onCheckpointFailure: (failure) => failures.push(failure) });
    try {
      // The thread opens the file after this (starting a thread takes far longer than a rename):
      // it finds something that is not a database where the store's file was, and no log whose
      // pages would stand in for it. The store's own connection keeps the files it has open.
      writeFileSync(`${path}.swap`, 'not a database '.repeat(512));
      renameSync(`${path}.swap`, path);
      rmSync(`${path}-wal`);
      rmSync(`${path}-shm`);
      await vi.waitFor(() => expect(failures).not.toHaveLength(0), { timeout: 20_000, interval: 50 });
      expect(failures[0]).toMatchObject({ phase: 'open', first: true, error: expect.stringMatching(/not a database/) });
      expect(await store.healthy()).toBe(false);
    } finally {
      await store.close();
    }
  });
});
