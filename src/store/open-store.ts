/** Opens a store from its setting: `memory` or `sqlite:PATH` (`redis://…` opens through startServer). */
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { EventStore, RetentionPolicy } from './event-store.js';
import type { CheckpointFailure } from './sqlite-checkpointer.js';
import { MemoryEventStore } from './memory-store.js';
import { SqliteEventStore } from './sqlite-store.js';

/** `onCheckpointFailure`: where a SQLite store reports its checkpoint thread's failures. */
export function openStore(setting: string, retention?: Partial<RetentionPolicy>, onCheckpointFailure?: (failure: CheckpointFailure) => void): EventStore {
  const options = retention ? { retention } : {};
  if (setting === 'memory') return new MemoryEventStore(options);
  if (setting.startsWith('sqlite:')) {
    const path = setting.slice('sqlite:'.length);
    if (!path) throw new AgentwireError(InternalErrorCode.CONFIG, 'sqlite: needs a path, for example sqlite:./data/agentwire.db');
    return new SqliteEventStore(path, onCheckpointFailure ? { ...options, onCheckpointFailure } : options);
  }
  if (setting.startsWith('redis://') || setting.startsWith('rediss://')) {
    throw new AgentwireError(InternalErrorCode.CONFIG, 'a Redis store opens asynchronously: pass the URL to startServer({ store }) or use RedisEventStore.open() from agentwire/redis');
  }
  throw new AgentwireError(InternalErrorCode.CONFIG, `unknown store "${setting}"; use memory, sqlite:PATH or redis://host:port`);
}
