/**
 * Attacks below the JSON layer: text frames that are not UTF-8 (close 1007), frames and
 * fragmented messages over the size limit (close 1009), frames sent before authentication
 * completed, and random bytes on the wire. The server never answers with 1011, never crashes,
 * cleans every connection up, and a bystander user notices nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';
import { answerTo } from './support/answers.js';
import { Bystander } from './support/bystander.js';
import { Opcode, clientFrame, isValidUtf8, tcpSocketOf } from './support/raw-frames.js';

const MAX_FRAME = 16 * 1024;

let server: AgentwireServer;
let bystander: Bystander;
beforeAll(async () => {
  server = await startTestServer({ transport: { maxFrameBytes: MAX_FRAME, messagesPerSecond: 100_000, messageBurst: 100_000, connectionsPerSecondPerIp: 100_000 } });
  bystander = await Bystander.start(server, 'wire-bystander');
});
afterAll(async () => {
  await bystander.stop();
  await server.close();
});

async function open(name: string): Promise<TestClient> {
  return TestClient.open(server.wsUrl, await signToken(name));
}

/** Waits until the server has forgotten every connection but the bystander's. */
async function expectOnlyBystanderConnected(): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (server.connections.size !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(server.connections.size).toBe(1);
}

describe('text frames that are not UTF-8', () => {
  const invalidUtf8 = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }).filter((bytes) => !isValidUtf8(bytes)),
    // Overlong encodings, UTF-16 surrogates, code points past U+10FFFF, truncated and stray bytes,
    // each inside an otherwise valid JSON frame.
    fc
      .tuple(
        fc.constantFrom([0xc0, 0x80], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xbf], [0xfe], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80]),
        fc.nat(40),
      )
      .map(([bad, at]) => {
        const text = Buffer.from('{"type":"user_message","text":"hello there","clientMessageId":"u1"}');
        const cut = Math.min(at, text.length);
        return new Uint8Array(Buffer.concat([text.subarray(0, cut), Buffer.from(bad), text.subarray(cut)]));
      }),
  );

  it('close the connection with 1007, answering nothing', async () => {
    await fc.assert(
      fc.asyncProperty(invalidUtf8, fc.boolean(), async (bytes, fragmented) => {
        const client = await open('wire-utf8');
        if (fragmented && bytes.length > 1) {
          // Split anywhere, even inside a character: only the reassembled message counts.
          const half = Math.floor(bytes.length / 2);
          tcpSocketOf(client.socket).write(Buffer.concat([clientFrame(Opcode.TEXT, bytes.subarray(0, half), { fin: false }), clientFrame(Opcode.CONTINUATION, bytes.subarray(half))]));
        } else {
          client.socket.send(Buffer.from(bytes), { binary: false });
        }
        expect((await client.closed).code).toBe(1007);
        expect(client.frames.map((f) => f.type)).toEqual(['connection_established']);
      }),
      { numRuns: 120 },
    );
    await expectOnlyBystanderConnected();
    await bystander.completesMore();
  });

  it('a character split across two fragments is valid UTF-8 and is answered normally', async () => {
    const client = await open('wire-utf8-split');
    const text = Buffer.from('{"type":"ping","note":"€ 𝄞"}');
    const inside = text.indexOf(0xf0) + 2;
    const mark = client.frames.length;
    tcpSocketOf(client.socket).write(Buffer.concat([clientFrame(Opcode.TEXT, text.subarray(0, inside), { fin: false }), clientFrame(Opcode.CONTINUATION, text.subarray(inside))]));
    await client.waitUntil(() => client.frames.length > mark);
    expect(client.frames.slice(mark)).toEqual([{ type: 'pong' }]);
    await client.close();
  });
});

describe('frames over maxFrameBytes', () => {
  it('close the connection with 1009, whole or fragmented, text or binary', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_FRAME + 1, max: MAX_FRAME * 4 }), fc.integer({ min: 1, max: 8 }), fc.boolean(), async (size, pieces, binary) => {
        const client = await open('wire-big');
        const payload = Buffer.alloc(size, 'x');
        const step = Math.ceil(size / pieces);
        const frames: Buffer[] = [];
        for (let at = 0; at < size; at += step) {
          frames.push(clientFrame(at === 0 ? (binary ? Opcode.BINARY : Opcode.TEXT) : Opcode.CONTINUATION, payload.subarray(at, at + step), { fin: at + step >= size }));
        }
        tcpSocketOf(client.socket).write(Buffer.concat(frames));
        expect((await client.closed).code).toBe(1009);
        expect(client.frames.map((f) => f.type)).toEqual(['connection_established']);
      }),
      { numRuns: 60 },
    );
    await expectOnlyBystanderConnected();
    await bystander.completesMore();
  });

  it('a frame of exactly maxFrameBytes is still a frame', async () => {
    const client = await open('wire-edge');
    const prefix = '{"type":"ping","pad":"';
    const exact = `${prefix}${'p'.repeat(MAX_FRAME - prefix.length - 2)}"}`;
    expect(Buffer.byteLength(exact)).toBe(MAX_FRAME);
    await answerTo(client, exact, [{ type: 'pong' }]);
    client.send(`${exact} `);
    expect((await client.closed).code).toBe(1009);
  });

  it('a length header announcing 2^53 bytes closes with 1009 at once', async () => {
    const client = await open('wire-liar');
    // FIN + text, masked, 64-bit length, then a mask key and no payload at all.
    tcpSocketOf(client.socket).write(Buffer.concat([Buffer.from([0x81, 0xff]), Buffer.from(bigEndian(2 ** 53)), Buffer.from([1, 2, 3, 4])]));
    expect((await client.closed).code).toBe(1009);
  });
});

describe('frames before authentication completes', () => {
  it('are answered in order right after connection_established', async () => {
    const client = await TestClient.connect(server.wsUrl, await signToken('wire-early'));
    // Sent on open, before the server has verified the token and announced the stream.
    const early = ['{', '[]', '{"type":"nope","clientMessageId":"e1"}', '{"type":"ack","seq":1}', '{"type":"ping"}'];
    for (const text of early) client.send(text);
    // A barrier instead of a sleep: the answer to a later ping comes after every earlier answer.
    client.send('{"type":"ping"}');
    await client.waitUntil(() => client.frames.filter((f) => f.type === 'pong').length === 2);
    expect(client.frames.slice(0, -1).map((f) => (f.type === 'error' ? `${f.code}${f.clientMessageId ? `:${f.clientMessageId}` : ''}` : f.type))).toEqual([
      'connection_established',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
      'UNKNOWN_TYPE:e1',
      'INVALID_MESSAGE',
      'pong',
    ]);
    await client.close();
  });

  it('are never answered when the token is bad: only close 4401', async () => {
    const client = await TestClient.connect(server.wsUrl, 'not-a-token');
    for (let i = 0; i < 50; i++) client.send('{"type":"ping"}');
    client.socket.send(Buffer.from([0xff, 0xfe]), { binary: false });
    expect((await client.closed).code).toBe(4401);
    expect(client.frames).toEqual([]);
  });
});

describe('random bytes on the wire', () => {
  it('never get 1011, never crash the server, and every such connection is cleaned up', async () => {
    const wire = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 512 }),
      // A plausible header (any opcode, reserved bits, mask or not) with a random payload.
      fc
        .record({ opcode: fc.integer({ min: 0, max: 15 }), rsv: fc.integer({ min: 0, max: 7 }), fin: fc.boolean(), masked: fc.boolean(), payload: fc.uint8Array({ maxLength: 300 }) })
        .map(({ opcode, rsv, fin, masked, payload }) => new Uint8Array(clientFrame(opcode, payload, { fin, rsv, masked }))),
    );
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(wire, { minLength: 1, maxLength: 4 }), async (chunks) => {
        const client = await open('wire-random');
        for (const chunk of chunks) tcpSocketOf(client.socket).write(chunk);
        const outcome = await Promise.race([client.closed, new Promise<undefined>((r) => setTimeout(r, 30))]);
        if (outcome) codes.set(outcome.code, (codes.get(outcome.code) ?? 0) + 1);
        expect(outcome?.code).not.toBe(1011);
        // Whatever the server answered before any close was a documented error frame.
        for (const frame of client.frames.slice(1)) {
          expect(['error', 'pong']).toContain(frame.type);
          if (frame.type === 'error') expect(['INVALID_MESSAGE', 'UNKNOWN_TYPE']).toContain(frame.code);
        }
        client.socket.terminate();
        await client.closed;
      }),
      { numRuns: 200 },
    );
    // Protocol errors (1002) are by far the most common answer to noise; the others show up too.
    expect(codes.get(1002)).toBeGreaterThan(0);
    await expectOnlyBystanderConnected();
    const healthy = await open('wire-after');
    await answerTo(healthy, '{"type":"ping"}', [{ type: 'pong' }]);
    await healthy.close();
    await bystander.completesMore();
  });
});

function bigEndian(value: number): number[] {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return [...bytes];
}
