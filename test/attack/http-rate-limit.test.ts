/**
 * Request rate of the HTTP API: a request with a valid token spends its user's allowance, any
 * other its client address's (through trusted proxies only); past it, 429 RATE_LIMITED with
 * Retry-After. Health probes and metrics are never refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_RATE_LIMITS, loadConfig, type AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { range } from '../helpers/ws-client.js';

const servers: AgentwireServer[] = [];
async function serve(options: Parameters<typeof startTestServer>[0]): Promise<AgentwireServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

interface Outcome {
  status: number;
  code?: string;
  retryAfter: string | null;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const res = await fetch(url, { headers });
  const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { error?: { code?: string } }) : (await res.text(), {});
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ...(body.error?.code ? { code: body.error.code } : {}) };
}

async function burst(count: number, one: () => Promise<Outcome>): Promise<{ ok: number; limited: Outcome[]; seconds: number }> {
  const started = Date.now();
  const outcomes = await Promise.all(range(1, count).map(one));
  const limited = outcomes.filter((o) => o.status === 429);
  expect(limited.length + outcomes.filter((o) => o.status === 200).length).toBe(count);
  return { ok: count - limited.length, limited, seconds: (Date.now() - started) / 1000 };
}

function expectRefusals(limited: Outcome[]): void {
  for (const o of limited) {
    expect(o.code).toBe('RATE_LIMITED');
    expect(Number(o.retryAfter)).toBeGreaterThanOrEqual(1);
  }
}

describe('HTTP API request rate', () => {
  it('per user: a burst past 2 × rate is refused with 429 RATE_LIMITED and Retry-After; another user at the same address is not', async () => {
    const rate = 3;
    const server = await serve({ httpRate: { requestsPerSecondPerUser: rate, requestsPerSecondPerAddress: 1_000 } });
    const alice = { authorization: `Bearer ${await signToken('http-rate-alice')}` };
    const { ok, limited, seconds } = await burst(20, () => get(`${server.url}/api/threads`, alice));
    expect(ok).toBeGreaterThanOrEqual(2 * rate);
    expect(ok).toBeLessThanOrEqual(2 * rate + Math.ceil(rate * seconds));
    expectRefusals(limited);
    const bob = await get(`${server.url}/api/threads`, { authorization: `Bearer ${await signToken('http-rate-bob')}` });
    expect(bob.status).toBe(200);
  });

  it('per address: requests without a valid token share their address\'s allowance; a valid token does not spend it; probes are never refused', async () => {
    // The slowest rate, so that the allowance has not refilled by the next request on a busy machine.
    const rate = 1;
    const server = await serve({ httpRate: { requestsPerSecondPerUser: 1_000, requestsPerSecondPerAddress: rate } });
    const anonymous = await burst(10, () => get(`${server.url}/api/info`));
    expect(anonymous.ok).toBeGreaterThanOrEqual(2 * rate);
    expect(anonymous.ok).toBeLessThanOrEqual(2 * rate + Math.ceil(rate * anonymous.seconds));
    expectRefusals(anonymous.limited);
    // A bad token is counted against the address, before it is looked at by the route.
    const guess = await get(`${server.url}/api/threads`, { authorization: 'Bearer guess' });
    expect(guess).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const valid = await get(`${server.url}/api/threads`, { authorization: `Bearer ${await signToken('http-rate-carol')}` });
    expect(valid.status).toBe(200);
    const probes = await Promise.all(range(1, 20).flatMap(() => [get(`${server.url}/healthz`), get(`${server.url}/metrics`)]));
    expect(probes.every((o) => o.status === 200)).toBe(true);
  });

  it('behind a trusted proxy, each forwarded client has its own allowance; from an untrusted peer the header changes nothing', async () => {
    const trusting = await serve({ httpRate: { requestsPerSecondPerAddress: 1 }, trustedProxies: ['127.0.0.1'] });
    await burst(6, () => get(`${trusting.url}/api/info`, { 'x-forwarded-for': '203.0.113.1' }));
    const other = await burst(2, () => get(`${trusting.url}/api/info`, { 'x-forwarded-for': '203.0.113.2' }));
    expect(other.ok).toBe(2);

    const untrusting = await serve({ httpRate: { requestsPerSecondPerAddress: 1 } });
    await burst(6, () => get(`${untrusting.url}/api/info`, { 'x-forwarded-for': '203.0.113.1' }));
    const spoofed = await burst(4, () => get(`${untrusting.url}/api/info`, { 'x-forwarded-for': '203.0.113.2' }));
    expect(spoofed.ok).toBeLessThanOrEqual(1);
  });

  it('has defaults and settings', () => {
    expect(DEFAULT_HTTP_RATE_LIMITS).toEqual({ requestsPerSecondPerUser: 20, requestsPerSecondPerAddress: 50 });
    expect(loadConfig({}).httpRate).toEqual({});
    expect(loadConfig({ AGENTWIRE_HTTP_REQUESTS_PER_SECOND_PER_USER: '7', AGENTWIRE_HTTP_REQUESTS_PER_SECOND_PER_IP: '9' }).httpRate).toEqual({
      requestsPerSecondPerUser: 7,
      requestsPerSecondPerAddress: 9,
    });
    expect(() => loadConfig({ AGENTWIRE_HTTP_REQUESTS_PER_SECOND_PER_USER: '0' })).toThrow(/AGENTWIRE_HTTP_REQUESTS_PER_SECOND_PER_USER/);
  });
});
