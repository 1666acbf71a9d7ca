import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type EventStore } from 'agentwire/server';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'agentwire-sqlite-'));
let n = 0;
const paths = new WeakMap<EventStore, string>();

storeContract('sqlite', {
  create: (retention) => {
    const path = join(dir, `store-${++n}.db`);
    const store = new SqliteEventStore(path, retention ? { retention } : {});
    paths.set(store, path);
    return Promise.resolve(store);
  },
  reopen: async (store) => {
    const path = paths.get(store)!;
    await store.close();
    const reopened = new SqliteEventStore(path);
    paths.set(reopened, path);
    return reopened;
  },
});
