/**
 * Honest accounting, checked against what clients actually did over real sockets: "delivered"
 * counts frames written, "acked" and "confirmed" count only what a client said it has. A client
 * that receives everything and acks nothing has confirmed nothing (the chaos check, where every
 * client acks, cannot tell over-counting from the truth).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentwireClient, type WebSocketConstructor } from 'agentwire/client';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
}

async function metrics(): Promise<{ delivered: number; acked: number; confirmed: number; ratio: number }> {
  return {
    delivered: await metric('agentwire_events_delivered_total'),
    acked: await metric('agentwire_events_acked_total'),
    confirmed: await metric('agentwire_events_confirmed'),
    ratio: await metric('agentwire_delivery_ratio'),
  };
}

/** Polls until the metrics satisfy `ready` (frame-written callbacks and acks land asynchronously). */
async function metricsWhen(ready: (m: Awaited<ReturnType<typeof metrics>>) => boolean): Promise<Awaited<ReturnType<typeof metrics>>> {
  const deadline = Date.now() + 5_000;
  let last = await metrics();
  while (!ready(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await metrics();
  }
  return last;
}

describe('delivery accounting', () => {
  it('a client that receives every event but never acks has confirmed none of them', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('acct-silent'));
    const { runId } = await client.submit(streamInput(20), { agent: 'stream' });
    await client.terminalOf(runId);
    const received = client.events().length;
    expect(seqs(client.events())).toEqual(range(1, received));

    const before = await metricsWhen((m) => m.delivered >= received);
    expect(before).toEqual({ delivered: received, acked: 0, confirmed: 0, ratio: 0 });

    // Half acked: exactly that half is confirmed.
    const half = Math.floor(received / 2);
    client.send({ type: 'ack', seq: half });
    const partly = await metricsWhen((m) => m.acked > 0);
    expect(partly).toEqual({ delivered: received, acked: half, confirmed: half, ratio: half / received });

    client.send({ type: 'ack', seq: received });
    const all = await metricsWhen((m) => m.acked >= received);
    expect(all).toEqual({ delivered: received, acked: received, confirmed: received, ratio: 1 });
    await client.close();
  });

  it('an ack beyond what the connection carried is refused and confirms nothing; resuming from L confirms exactly L', async () => {
    const token = await signToken('acct-resume');
    const first = await TestClient.open(server.wsUrl, token);
    const { runId } = await first.submit(streamInput(10), { agent: 'stream' });
    await first.terminalOf(runId);
    const published = first.events().length;
    await first.close();

    // A second connection starts at the head: an ack past it claims events that do not exist.
    const late = await TestClient.open(server.wsUrl, token);
    late.send({ type: 'ack', seq: published + 5 });
    expect(await late.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(await metrics()).toMatchObject({ acked: 0, confirmed: 0, ratio: 0 });
    await late.close();

    // Resuming from 4 says the client holds 1..4, and nothing more.
    const resumed = await TestClient.open(server.wsUrl, token, { lastSeq: 4, epoch: first.established.epoch });
    await resumed.waitFor((f) => f.type === 'resumed');
    expect(seqs(resumed.events())).toEqual(range(5, published));
    expect(await metrics()).toMatchObject({ acked: 0, confirmed: 4, ratio: 4 / published });
    await resumed.close();
  });

  it('the SDK acks what the application received, and only that', async () => {
    const client = new AgentwireClient({ url: server.wsUrl, token: () => signToken('acct-sdk'), WebSocket: WebSocket as unknown as WebSocketConstructor, ackIntervalMs: 20 });
    const seen: number[] = [];
    client.on('event', (e) => seen.push(e.seq));
    await client.connect();
    await client.run((await client.send(streamInput(15), { agent: 'stream' })).runId).done;
    const final = await metricsWhen((m) => m.acked >= seen.length);
    expect(seen).toEqual(range(1, seen.length));
    expect(final).toEqual({ delivered: seen.length, acked: seen.length, confirmed: seen.length, ratio: 1 });
    client.close();
  });
});
