/**
 * Socket.IO 4, one node of several, on the Redis Streams adapter (which also keeps the
 * connection-state-recovery sessions in Redis).
 *
 *   node --expose-gc --conditions=agentwire-source --import tsx bench/servers/socketio-redis.ts --redis redis://127.0.0.1:6379 --prefix bench-x
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { argValue } from './control.js';
import { startSocketIo } from './socketio-app.js';

const prefix = argValue('prefix', `bench-sio-${process.pid}`);
const redis = new Redis(argValue('redis', 'redis://127.0.0.1:6379'));
await startSocketIo({
  adapter: createAdapter(redis, { streamName: `${prefix}:stream`, channelPrefix: `${prefix}:channel`, sessionKeyPrefix: `${prefix}:session:` }),
  onClose: async () => {
    await redis.quit();
  },
});
