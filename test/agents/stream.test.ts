import { describe, it, expect } from 'vitest';
import { streamAgent, streamDelta } from 'agentwire/server';
import { createFakeContext } from './fake-context.js';

async function stream(request: unknown, fake = createFakeContext()): Promise<{ result: unknown; deltas: string[] }> {
  const text = typeof request === 'string' ? request : JSON.stringify(request);
  const result = await streamAgent.run(fake.input(text), fake.ctx);
  return { result, deltas: fake.deltas() };
}

const indexOf = (delta: string): number => Number(/^#(\d{6}) /.exec(delta)?.[1]);

describe('stream agent', () => {
  it('emits N distinct deltas in order, numbered from 1, 60 bytes by default', async () => {
    const { result, deltas } = await stream({ events: 1000 });
    expect(result).toEqual({ events: 1000 });
    expect(deltas).toHaveLength(1000);
    expect(deltas.map(indexOf)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(new Set(deltas).size).toBe(1000);
    expect(deltas[0]).toBe('#000001 abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop');
    for (const delta of deltas) {
      expect(Buffer.byteLength(delta)).toBe(60);
      expect(/^[\x20-\x7e]+$/.test(delta)).toBe(true);
    }
  });

  it.each([
    [1, 8],
    [8, 8],
    [9, 9],
    [1000, 1000],
    [65_536, 65_536],
  ])('sizes deltas to %d bytes (%d with the index, which is never cut)', async (bytes, length) => {
    const { deltas } = await stream({ events: 3, bytes });
    expect(deltas.map((d) => d.length)).toEqual([length, length, length]);
    expect(deltas.map(indexOf)).toEqual([1, 2, 3]);
  });

  it('numbers up to the maximum of 100000 events in six digits', () => {
    expect(streamDelta(100_000, 10)).toBe('#100000 ab');
  });

  it('paces events intervalMs apart', async () => {
    const started = performance.now();
    const { deltas } = await stream({ events: 5, intervalMs: 25 });
    expect(deltas).toHaveLength(5);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('heartbeats while it streams', async () => {
    const fake = createFakeContext();
    await stream({ events: 250 }, fake);
    expect(fake.heartbeats()).toBe(2);
    const paced = createFakeContext();
    await stream({ events: 3, intervalMs: 5 }, paced);
    expect(paced.heartbeats()).toBe(2);
  });

  it.each([
    ['not json', 'stream: input is not JSON'],
    ['', 'stream: input is not JSON'],
    ['null', 'stream: invalid input: input:'],
    ['[]', 'stream: invalid input: input:'],
    ['{}', 'stream: invalid input: events:'],
    ['{"events":0}', 'stream: invalid input: events:'],
    ['{"events":100001}', 'stream: invalid input: events:'],
    ['{"events":1.5}', 'stream: invalid input: events:'],
    ['{"events":"10"}', 'stream: invalid input: events:'],
    ['{"events":1,"intervalMs":-1}', 'stream: invalid input: intervalMs:'],
    ['{"events":1,"intervalMs":60001}', 'stream: invalid input: intervalMs:'],
    ['{"events":1,"bytes":0}', 'stream: invalid input: bytes:'],
    ['{"events":1,"bytes":65537}', 'stream: invalid input: bytes:'],
    ['{"events":1,"byte":10}', 'stream: invalid input:'],
  ])('refuses %j with a clear error', async (input, message) => {
    const fake = createFakeContext();
    const run = streamAgent.run(fake.input(input), fake.ctx);
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toThrow('expected JSON like {"events": 100, "intervalMs": 10, "bytes": 60}');
    expect(fake.deltas()).toEqual([]);
  });

  it('stops promptly when aborted in a tight loop', async () => {
    const fake = createFakeContext({
      onSay: (count, controller) => {
        if (count === 10) controller.abort(new Error('cancelled by test'));
      },
    });
    await expect(stream({ events: 100_000 }, fake)).rejects.toThrow('cancelled by test');
    expect(fake.deltas()).toHaveLength(10);
  });

  it('stops promptly when aborted during a long interval', async () => {
    const fake = createFakeContext();
    setTimeout(() => {
      fake.controller.abort(new Error('cancelled by test'));
    }, 50);
    const started = performance.now();
    await expect(stream({ events: 3, intervalMs: 60_000 }, fake)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(fake.deltas()).toHaveLength(1);
  });

  it('uses no tools', () => {
    expect(streamAgent.name).toBe('stream');
    expect(streamAgent.tools).toEqual([]);
  });
});
