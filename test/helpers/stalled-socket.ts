/**
 * A raw WebSocket connection that completes the handshake and then stops reading, so the
 * kernel buffers fill and the server's own outbound buffer grows. Once the test lets it read
 * again it parses the server's frames, so a test can assert the close code the server
 * actually sent (not a counter the server bumped before closing).
 */
import net from 'node:net';

export interface StalledSocket {
  readonly socket: net.Socket;
  /** Starts reading again; resolves with the close code of the server's close frame, or undefined if the TCP stream ended without one. */
  drainUntilClose(timeoutMs?: number): Promise<number | undefined>;
  destroy(): void;
}

export async function stalledSocket(port: number, token: string): Promise<StalledSocket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  let pending = await new Promise<Buffer>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk)));
  socket.pause();
  const headerEnd = pending.indexOf('\r\n\r\n');
  if (!pending.subarray(0, headerEnd).toString('latin1').startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${pending.toString('latin1', 0, 60)}`);
  pending = pending.subarray(headerEnd + 4);

  return {
    socket,
    drainUntilClose(timeoutMs = 30_000) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(undefined), timeoutMs);
        const finish = (code: number | undefined): void => {
          clearTimeout(timer);
          socket.off('data', onData);
          socket.off('close', onClose);
          resolve(code);
        };
        const onData = (chunk: Buffer): void => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
          const parsed = closeCodeIn(pending);
          pending = pending.subarray(parsed.consumed);
          if (parsed.code !== undefined) finish(parsed.code);
        };
        const onClose = (): void => finish(undefined);
        socket.on('data', onData);
        socket.on('close', onClose);
        socket.resume();
        onData(Buffer.alloc(0));
      });
    },
    destroy() {
      socket.destroy();
    },
  };
}

/** Skips whole server frames (unmasked); returns the close frame's code once one is complete. */
function closeCodeIn(buffer: Buffer): { consumed: number; code?: number } {
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) return { consumed: offset };
    const opcode = (buffer[offset] as number) & 0x0f;
    let length = (buffer[offset + 1] as number) & 0x7f;
    let header = 2;
    if (length === 126) {
      if (buffer.length - offset < 4) return { consumed: offset };
      length = buffer.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (buffer.length - offset < 10) return { consumed: offset };
      length = Number(buffer.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (buffer.length - offset < header + length) return { consumed: offset };
    if (opcode === 0x8) return { consumed: offset + header + length, code: length >= 2 ? buffer.readUInt16BE(offset + header) : 1005 };
    offset += header + length;
  }
}
