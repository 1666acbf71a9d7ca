import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ transport: { maxFrameBytes: 64 * 1024, messagesPerSecond: 5, messageBurst: 10, maxRateLimitedInARow: 30 } });
});
afterAll(async () => {
  await server.close();
});

describe('bad input gets a clear error and loses nothing', () => {
  it('answers malformed frames with INVALID_MESSAGE / UNKNOWN_TYPE and keeps the connection working', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('err-alice'));
    const bad = ['{not json', '[]', '42', '{"type": 7}', '{"type":"user_message","text":"","clientMessageId":"x1"}', '{"type":"ack","seq":-1}', '{"type":"resume","lastSeq":1.5,"epoch":"e"}'];
    for (const frame of bad) client.send(frame);
    client.send({ type: 'launch_missiles' });
    await client.waitUntil(() => client.frames.filter((f) => f.type === 'error').length >= bad.length + 1);
    const errors = client.frames.filter((f) => f.type === 'error');
    expect(errors.slice(0, bad.length).every((e) => e.type === 'error' && e.code === 'INVALID_MESSAGE')).toBe(true);
    expect(errors[4]).toMatchObject({ clientMessageId: 'x1' });
    expect(errors[bad.length]).toMatchObject({ code: 'UNKNOWN_TYPE' });
    const { runId } = await client.submit(streamInput(2), { agent: 'stream' });
    expect((await client.terminalOf(runId)).type).toBe('agent_completed');
    await client.close();
  });

  it('answers a binary frame with INVALID_MESSAGE', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('err-bob'));
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    await client.close();
  });

  it('closes with 1009 on a frame over the size limit', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('err-carol'));
    client.send({ type: 'user_message', text: 'x'.repeat(70 * 1024), clientMessageId: 'big' });
    expect((await client.closed).code).toBe(1009);
  });

  it('refuses text longer than maxTextChars with INVALID_MESSAGE', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('err-dave'));
    client.send({ type: 'user_message', text: 'x'.repeat(40_000), clientMessageId: 'long' });
    expect(await client.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'INVALID_MESSAGE', clientMessageId: 'long' });
    await client.close();
  });

  it('rate-limits a flood with RATE_LIMITED, then closes with 4429 when it keeps going', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('err-erin'));
    for (let i = 0; i < 15; i++) client.send({ type: 'ping' });
    await client.waitUntil(() => client.frames.some((f) => f.type === 'error' && f.code === 'RATE_LIMITED'));
    expect(client.frames.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(12);
    for (let i = 0; i < 60; i++) client.send({ type: 'ping' });
    expect((await client.closed).code).toBe(4429);
  });

  it('rate-limits inbound bytes, not only messages: big frames past the byte budget get RATE_LIMITED', async () => {
    const tight = await startTestServer({ transport: { maxFrameBytes: 64 * 1024, inboundBytesPerSecond: 64 * 1024, messagesPerSecond: 100, messageBurst: 100 } });
    try {
      const client = await TestClient.open(tight.wsUrl, await signToken('err-bytes'));
      // Burst allowance is 128 KiB: the third 60 KB frame in the same instant is over budget.
      for (let i = 0; i < 4; i++) client.send({ type: 'ping', padding: 'x'.repeat(60_000) });
      const limited = await client.waitFor((f) => f.type === 'error' && f.code === 'RATE_LIMITED');
      expect(limited).toMatchObject({ message: expect.stringContaining('bytes per second') });
      expect(client.frames.filter((f) => f.type === 'pong').length).toBe(2);
      // Small frames still pass: the budget refills.
      await new Promise((r) => setTimeout(r, 1100));
      client.send({ type: 'ping' });
      await client.waitUntil(() => client.frames.filter((f) => f.type === 'pong').length === 3);
      await client.close();
    } finally {
      await tight.close();
    }
  });

  it('cancelling another user\'s run is FORBIDDEN and leaves the run untouched; an unknown run is NOT_FOUND', async () => {
    const alice = await TestClient.open(server.wsUrl, await signToken('err-frank'));
    const mallory = await TestClient.open(server.wsUrl, await signToken('err-mallory'));
    const { runId } = await alice.submit(streamInput(20, 20), { agent: 'stream' });
    await alice.waitFor((f) => 'seq' in f && f.runId === runId && f.type === 'agent_started');
    mallory.send({ type: 'cancel', runId });
    expect(await mallory.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'FORBIDDEN', runId });
    mallory.send({ type: 'cancel', runId: `run_${'z'.repeat(22)}` });
    expect(await mallory.waitFor((f) => f.type === 'error' && f.code === 'NOT_FOUND')).toBeDefined();
    expect(mallory.events()).toEqual([]);
    // The refusal is not enough: the victim's run must go on and complete, whole.
    expect(await alice.terminalOf(runId)).toMatchObject({ type: 'agent_completed' });
    expect(alice.runEvents(runId).map((e) => e.type)).toEqual(['agent_started', ...Array<string>(20).fill('agent_message_delta'), 'agent_completed']);
    // Her own cancel of her own run does take effect.
    const own = await alice.submit(streamInput(50, 20), { agent: 'stream' });
    alice.send({ type: 'cancel', runId: own.runId });
    expect(await alice.terminalOf(own.runId)).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    await Promise.all([alice.close(), mallory.close()]);
  });
});
