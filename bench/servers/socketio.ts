/**
 * Socket.IO 4, one node, in-memory adapter with connection-state recovery.
 *
 *   node --expose-gc --conditions=agentwire-source --import tsx bench/servers/socketio.ts
 */
import { startSocketIo } from './socketio-app.js';

await startSocketIo();
