import { MemoryEventStore, type RetentionPolicy } from 'agentwire/server';
import { storeContract } from './store-contract.js';
import { threadEditContract } from './thread-edit-contract.js';

const memory = { create: (retention?: Partial<RetentionPolicy>) => Promise.resolve(new MemoryEventStore(retention ? { retention } : {})) };
storeContract('memory', memory);
threadEditContract('memory', memory);
