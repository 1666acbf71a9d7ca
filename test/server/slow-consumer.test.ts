import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { stalledSocket } from '../helpers/stalled-socket.js';

const MAX_OUTBOUND_BYTES = 256 * 1024;
/** The notifier's replay page (events read from the store per page). */
const REPLAY_PAGE = 256;

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ transport: { maxOutboundBytes: MAX_OUTBOUND_BYTES, slowConsumerTimeoutMs: 1000 }, retention: { maxEventsPerUser: 20_000 } });
});
afterAll(async () => {
  await server.close();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('slow consumers', () => {
  it('a reader slower than a burst is fed from the store as it drains; one that stops reading is closed with 4408; a resume gets everything', async () => {
    const token = await signToken('slow-alice');
    const stalled = await stalledSocket(server.port, token);
    const reader = await TestClient.open(server.wsUrl, token);
    // 24 MB: more than loopback's kernel buffers can absorb, so the server-side buffer grows.
    const { runId } = await reader.submit(streamInput(12_000, 0, 2048), { agent: 'stream' });
    await reader.terminalOf(runId, 30_000);
    expect(seqs(reader.events())).toEqual(range(1, 12_002));
    const deadline = Date.now() + 10_000;
    while ((await metric('agentwire_slow_consumer_closes_total')) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await metric('agentwire_slow_consumer_closes_total')).toBe(1);
    // What the stalled client actually receives once it reads again: everything buffered, then 4408.
    expect(await stalled.drainUntilClose()).toBe(4408);
    stalled.destroy();
    // The bound, measured where the memory is: no connection's outbound buffer ever held more
    // than the bound plus one frame (live) and one replay page (catch-up). Without the bound
    // the stalled connection holds most of the 24 MB burst.
    const frameBytes = Math.max(...reader.events().map((e) => Buffer.byteLength(JSON.stringify(e))));
    const peak = await metric('agentwire_outbound_buffer_peak_bytes');
    expect(peak).toBeGreaterThan(MAX_OUTBOUND_BYTES);
    expect(peak).toBeLessThanOrEqual(MAX_OUTBOUND_BYTES + (REPLAY_PAGE + 1) * frameBytes);

    const resumed = await TestClient.open(server.wsUrl, token, { lastSeq: 0, epoch: reader.established.epoch });
    expect(await resumed.waitFor((f) => f.type === 'resumed', 20_000)).toMatchObject({ fromSeq: 1, toSeq: 12_002, recovered: true });
    expect(seqs(resumed.events())).toEqual(range(1, 12_002));
    await Promise.all([reader.close(), resumed.close()]);
  }, 60_000);
});
