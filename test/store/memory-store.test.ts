import { MemoryEventStore } from 'agentwire/server';
import { storeContract } from './store-contract.js';

storeContract('memory', {
  create: (retention) => Promise.resolve(new MemoryEventStore(retention ? { retention } : {})),
});
