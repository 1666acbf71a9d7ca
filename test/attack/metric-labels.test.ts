/**
 * A client cannot mint metric series: the close code it chooses is a label only when the
 * protocol's table names it; every other code is counted under "other". Counted on what
 * /metrics actually serves.
 */
import { afterAll, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range } from '../helpers/ws-client.js';

let server: AgentwireServer | undefined;
afterAll(async () => {
  await server?.close();
});

/** The `code` label values of agentwire_connections_closed_total and their counts. */
async function closedSeries(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const series = new Map<string, number>();
  for (const match of text.matchAll(/^agentwire_connections_closed_total\{code="([^"]*)"\} (\d+)$/gm)) series.set(match[1]!, Number(match[2]));
  return series;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

it('60 sockets closing with codes 4900..4959 add one series, "other", counting 60; table codes keep their own', async () => {
  server = await startTestServer({});
  const token = await signToken('labels-closer');
  const s = server;
  for (const batch of [range(4900, 4909), range(4910, 4919), range(4920, 4929), range(4930, 4939), range(4940, 4949), range(4950, 4959)]) {
    // Within the per-user connection cap (10).
    const clients = await Promise.all(batch.map(() => TestClient.open(s.wsUrl, token)));
    await Promise.all(clients.map((client, i) => {
      client.socket.close(batch[i], 'bye');
      return client.closed;
    }));
    // The server counts a close when its side of the socket closes, which may trail the client's.
    await waitFor(() => Promise.resolve(s.connections.size === 0));
  }
  const normal = await TestClient.open(s.wsUrl, token);
  normal.socket.close(1000);
  await normal.closed;
  await waitFor(async () => (await closedSeries(s.url)).get('1000') === 1);

  const series = await closedSeries(s.url);
  expect(series.get('other')).toBe(60);
  expect([...series.keys()].sort()).toEqual(['1000', 'other']);
});
