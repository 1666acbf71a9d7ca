/** Opens a store from its setting: `memory` or `sqlite:PATH`. */
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { EventStore, RetentionPolicy } from './event-store.js';
import { MemoryEventStore } from './memory-store.js';
import { SqliteEventStore } from './sqlite-store.js';

export function openStore(setting: string, retention?: Partial<RetentionPolicy>): EventStore {
  const options = retention ? { retention } : {};
  if (setting === 'memory') return new MemoryEventStore(options);
  if (setting.startsWith('sqlite:')) {
    const path = setting.slice('sqlite:'.length);
    if (!path) throw new AgentwireError(InternalErrorCode.CONFIG, 'sqlite: needs a path, for example sqlite:./data/agentwire.db');
    return new SqliteEventStore(path, options);
  }
  throw new AgentwireError(InternalErrorCode.CONFIG, `unknown store "${setting}"; use memory or sqlite:PATH`);
}
