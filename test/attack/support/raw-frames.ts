/**
 * Hand-built WebSocket frames, written straight to the TCP socket under a `ws` client: what a
 * hostile client can put on the wire that `ws`'s own sender never would (invalid UTF-8 in a
 * text frame, reserved bits, unmasked frames, lengths that lie).
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

/** A client frame, masked as RFC 6455 requires of clients (unless told otherwise). */
export function clientFrame(opcode: number, payload: Uint8Array, options: { fin?: boolean; rsv?: number; masked?: boolean } = {}): Buffer {
  const { fin = true, rsv = 0, masked = true } = options;
  const length = payload.length;
  const lengthBytes = length < 126 ? [length] : length < 65_536 ? [126, length >> 8, length & 0xff] : [127, ...bigEndian64(length)];
  const first = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf);
  const second = (masked ? 0x80 : 0) | (lengthBytes[0] ?? 0);
  const key = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([Buffer.from([first, second, ...lengthBytes.slice(1)]), key, body]);
}

function bigEndian64(value: number): number[] {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return [...bytes];
}

/** The TCP socket under a `ws` client, to write bytes its sender would not. */
export function tcpSocketOf(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket;
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
