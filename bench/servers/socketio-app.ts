/**
 * Socket.IO 4 as a user would deploy it for agent streaming: WebSocket transport only,
 * compression off, a JWT in the handshake's `auth`, one room per user, and connection-state
 * recovery on so that every broadcast goes through its recovery buffer (in memory, or the
 * Redis stream with the Redis Streams adapter).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { BENCH_SECRET, serveControl } from './control.js';
import { PeerUser, parseStartRequest } from './peer-stream.js';

const key = new TextEncoder().encode(BENCH_SECRET);

export async function startSocketIo(options: { adapter?: ServerOptions['adapter']; onClose?: () => Promise<void> } = {}): Promise<void> {
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    httpCompression: false,
    serveClient: false,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true },
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
  const users = new Map<string, { user: PeerUser; sockets: number }>();

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string') {
      next(new Error('unauthorized'));
      return;
    }
    jwtVerify(token, key, { algorithms: ['HS256'] }).then(
      ({ payload }) => {
        if (typeof payload.sub !== 'string') throw new Error('no sub');
        (socket.data as { userId?: string }).userId = payload.sub;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  });

  io.on('connection', function onConnection(socket: Socket) {
    const userId = (socket.data as { userId: string }).userId;
    void socket.join(userId);
    let entry = users.get(userId);
    if (!entry) {
      entry = { user: new PeerUser(userId, (envelope) => io.to(userId).emit('event', envelope)), sockets: 0 };
      users.set(userId, entry);
    }
    const owned = entry;
    owned.sockets += 1;
    socket.on('start', (request: unknown) => owned.user.start(parseStartRequest(request)));
    socket.on('stop', () => owned.user.stop());
    socket.on('disconnect', () => {
      owned.sockets -= 1;
      if (owned.sockets === 0) {
        owned.user.stop();
        users.delete(userId);
      }
    });
    socket.emit('connection_established', { userId });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  serveControl({
    ports: [(http.address() as AddressInfo).port],
    close: async () => {
      io.disconnectSockets(true);
      await io.close();
      await options.onClose?.();
    },
  });
}
