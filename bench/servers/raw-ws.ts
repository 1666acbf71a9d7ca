/**
 * The ceiling: raw `ws`, a JWT checked on upgrade, and the same JSON envelopes written straight
 * to the user's sockets. No store, no seq guarantees, no recovery.
 *
 *   node --expose-gc --conditions=agentwire-source --import tsx bench/servers/raw-ws.ts
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { jwtVerify } from 'jose';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { BENCH_SECRET, serveControl } from './control.js';
import { PeerUser, parseStartRequest, type PeerEnvelope } from './peer-stream.js';

const key = new TextEncoder().encode(BENCH_SECRET);
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
const users = new Map<string, { user: PeerUser; sockets: Set<WebSocket> }>();

function entryFor(userId: string): { user: PeerUser; sockets: Set<WebSocket> } {
  let entry = users.get(userId);
  if (!entry) {
    const sockets = new Set<WebSocket>();
    const user = new PeerUser(userId, function publishToSockets(envelope: PeerEnvelope) {
      const text = JSON.stringify(envelope);
      for (const socket of sockets) socket.send(text);
    });
    entry = { user, sockets };
    users.set(userId, entry);
  }
  return entry;
}

async function authenticate(request: IncomingMessage): Promise<string | undefined> {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  try {
    const { payload } = await jwtVerify(header.slice(7), key, { algorithms: ['HS256'] });
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

function onConnection(socket: WebSocket, userId: string): void {
  const entry = entryFor(userId);
  entry.sockets.add(socket);
  socket.on('message', function socketOnMessage(data: RawData) {
    const message = JSON.parse((data as Buffer).toString('utf8')) as { type?: string };
    if (message.type === 'start') entry.user.start(parseStartRequest(message));
    else if (message.type === 'stop') entry.user.stop();
  });
  socket.on('close', function socketOnClose() {
    entry.sockets.delete(socket);
    if (entry.sockets.size === 0) {
      entry.user.stop();
      users.delete(userId);
    }
  });
  socket.on('error', () => undefined);
  socket.send(JSON.stringify({ type: 'connection_established', userId }));
}

const http = createServer((_request, response) => response.writeHead(404).end());
http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
  void authenticate(request).then((userId) => {
    if (userId === undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, userId));
  });
});
http.listen(0, '127.0.0.1', () => {
  serveControl({
    ports: [(http.address() as AddressInfo).port],
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  });
});
