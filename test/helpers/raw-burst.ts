/**
 * Writes several WebSocket text frames in ONE TCP write, so the server reads them in one
 * chunk and handles them back to back, before any await of the first one can resolve: the
 * timing of a burst, made deterministic.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

export function sendInOneWrite(ws: WebSocket, messages: readonly string[]): Promise<void> {
  // ws keeps its net.Socket private; a test that needs one write has no other handle on it.
  const raw = (ws as unknown as { _socket: Socket })._socket;
  raw.cork();
  const written = messages.map((message) => new Promise<void>((resolve, reject) => ws.send(message, (error) => (error ? reject(error) : resolve()))));
  // uncork on the next tick: every send above lands in the same writev.
  process.nextTick(() => raw.uncork());
  return Promise.all(written).then(() => undefined);
}
