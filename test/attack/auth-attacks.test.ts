/**
 * Token attacks against a server that trusts both a shared HS256 secret and a JWKS (served by a
 * real HTTP server on port 0): alg none in every spelling, HS/RS key confusion, foreign keys,
 * embedded keys, tampered tokens (fast-check), bad or missing subs, time claims, and issuer and
 * audience when they are configured. Every refused token gets close 4401 with nothing sent
 * before it on the WebSocket, and 401 on the HTTP API.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { TEST_SECRET, signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

let server: AgentwireServer;
let jwksOnly: AgentwireServer;
let jwks: Server;
let jwksUrl: string;
let jwksRequests = 0;
let attackerJwksRequests = 0;
let attackerJwksUrl: string;
let attackerJwks: Server;
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK; pem: string };
let attackerRsa: { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK };
let attackerEc: { privateKey: CryptoKey; publicKey: CryptoKey };

async function serveJwks(keys: () => JWK[], counted: () => void): Promise<{ server: Server; url: string }> {
  const http = createServer((_req, res) => {
    counted();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: keys() }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { server: http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/jwks.json` };
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  rsa = { ...pair, jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }, pem: await exportSPKI(pair.publicKey) };
  const other = await generateKeyPair('RS256', { extractable: true });
  attackerRsa = { ...other, jwk: { ...(await exportJWK(other.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' } };
  attackerEc = await generateKeyPair('ES256', { extractable: true });
  ({ server: jwks, url: jwksUrl } = await serveJwks(() => [rsa.jwk], () => (jwksRequests += 1)));
  ({ server: attackerJwks, url: attackerJwksUrl } = await serveJwks(() => [attackerRsa.jwk], () => (attackerJwksRequests += 1)));
  server = await startTestServer({ auth: { jwtSecret: TEST_SECRET, jwksUrl }, transport: { connectionsPerSecondPerIp: 10_000 }, httpRate: { requestsPerSecondPerAddress: 10_000 } });
  jwksOnly = await startTestServer({ auth: { jwksUrl }, transport: { connectionsPerSecondPerIp: 10_000 }, httpRate: { requestsPerSecondPerAddress: 10_000 } });
});
afterAll(async () => {
  await Promise.all([server.close(), jwksOnly.close()]);
  await Promise.all([jwks, attackerJwks].map((s) => new Promise((resolve) => s.close(resolve))));
});

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

/** A token put together by hand: any header, any payload, an HMAC-SHA256 signature under any key. */
function handmade(header: object, payload: object, hmacKey?: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hmacKey === undefined ? '' : createHmac('sha256', hmacKey).update(input).digest('base64url')}`;
}

function rs256(payload: Record<string, unknown>, key: CryptoKey = rsa.privateKey, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header }).setIssuedAt().setExpirationTime('1h').sign(key);
}

/** What the server does with a token: the close code and frames on /ws, the status on the API. */
async function verdict(token: string | undefined, on: AgentwireServer = server): Promise<{ code: number | 'open'; frames: number; http: number; userId?: string }> {
  const client = await TestClient.connect(on.wsUrl, token);
  const outcome = await Promise.race([client.closed, client.waitFor((f) => f.type === 'connection_established', 5_000).then(() => undefined)]);
  const http = (await fetch(`${on.url}/api/threads`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })).status;
  if (outcome) return { code: outcome.code, frames: client.frames.length, http };
  const userId = client.established.userId;
  await client.close();
  return { code: 'open', frames: client.frames.length, http, userId };
}

async function expectRefused(token: string | undefined, on: AgentwireServer = server): Promise<void> {
  expect(await verdict(token, on)).toEqual({ code: 4401, frames: 0, http: 401 });
}

async function expectAccepted(token: string, userId: string, on: AgentwireServer = server): Promise<void> {
  expect(await verdict(token, on)).toEqual({ code: 'open', frames: 1, http: 200, userId });
}

describe('signatures and algorithms', () => {
  it('accepts an RS256 token signed with the JWKS key, and an HS256 token signed with the secret', async () => {
    await expectAccepted(await rs256({ sub: 'auth-rs-alice' }), 'auth-rs-alice');
    await expectAccepted(await signToken('auth-hs-alice'), 'auth-hs-alice');
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('refuses alg "none" in every spelling, with or without a signature', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE', '', null]) {
      await expectRefused(handmade({ alg, typ: 'JWT' }, { sub: 'auth-alice', exp: inAnHour() }));
      await expectRefused(handmade({ alg, typ: 'JWT' }, { sub: 'auth-alice', exp: inAnHour() }, TEST_SECRET));
    }
    await expectRefused(handmade({ typ: 'JWT' }, { sub: 'auth-alice', exp: inAnHour() }, TEST_SECRET));
  });

  it('HS/RS confusion: an HS256 token keyed with the RSA public key (PEM, JWK, modulus) is refused', async () => {
    const keys = [rsa.pem, rsa.pem.trim(), JSON.stringify(rsa.jwk), JSON.stringify({ keys: [rsa.jwk] }), Buffer.from(rsa.jwk.n ?? '', 'base64url')];
    for (const key of keys) {
      for (const header of [{ alg: 'HS256' }, { alg: 'HS256', kid: 'k1' }, { alg: 'HS256', kid: 'k1', typ: 'JWT' }]) {
        await expectRefused(handmade(header, { sub: 'auth-mallory', exp: inAnHour() }, key));
      }
    }
  });

  it('HS/RS confusion: a token that says RS256 but carries an HMAC (with the PEM or the secret) is refused', async () => {
    for (const key of [rsa.pem, TEST_SECRET, JSON.stringify(rsa.jwk)]) {
      await expectRefused(handmade({ alg: 'RS256', kid: 'k1' }, { sub: 'auth-mallory', exp: inAnHour() }, key));
      await expectRefused(handmade({ alg: 'PS256', kid: 'k1' }, { sub: 'auth-mallory', exp: inAnHour() }, key));
    }
  });

  it('refuses HS384/HS512 even with the right secret (the secret is for HS256 only)', async () => {
    for (const alg of ['HS384', 'HS512']) {
      const token = await new SignJWT({ sub: 'auth-alice' }).setProtectedHeader({ alg }).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_SECRET));
      await expectRefused(token);
    }
  });

  it('refuses keys that are not in the JWKS: another RSA key, an EC key, an embedded jwk, a jku, an unknown kid', async () => {
    await expectRefused(await rs256({ sub: 'auth-mallory' }, attackerRsa.privateKey));
    await expectRefused(await new SignJWT({ sub: 'auth-mallory' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setExpirationTime('1h').sign(attackerEc.privateKey));
    // The attacker ships their own key in the header, or a URL to it: never trusted.
    await expectRefused(await rs256({ sub: 'auth-mallory' }, attackerRsa.privateKey, { jwk: attackerRsa.jwk }));
    await expectRefused(await rs256({ sub: 'auth-mallory' }, attackerRsa.privateKey, { jku: attackerJwksUrl }));
    await expectRefused(await rs256({ sub: 'auth-mallory' }, attackerRsa.privateKey, { x5u: attackerJwksUrl }));
    expect(attackerJwksRequests).toBe(0);
    for (const kid of ['k2', '../../etc/passwd', '', 'k1\u0000']) await expectRefused(await rs256({ sub: 'auth-mallory' }, attackerRsa.privateKey, { kid }));
  });

  it('on a JWKS-only server, HS256 tokens are refused whatever their key', async () => {
    await expectAccepted(await rs256({ sub: 'auth-jwks-only' }), 'auth-jwks-only', jwksOnly);
    await expectRefused(await signToken('auth-jwks-only'), jwksOnly);
    await expectRefused(handmade({ alg: 'HS256' }, { sub: 'auth-jwks-only', exp: inAnHour() }, rsa.pem), jwksOnly);
    await expectRefused(handmade({ alg: 'HS256' }, { sub: 'auth-jwks-only', exp: inAnHour() }, ''), jwksOnly);
  });

  it('any tampering with a valid token is refused (fast-check)', async () => {
    const [valid, validRs] = [await signToken('auth-tamper'), await rs256({ sub: 'auth-tamper' })];
    const tamper = fc.record({
      rs: fc.boolean(),
      part: fc.integer({ min: 0, max: 2 }),
      at: fc.nat(),
      char: fc.constantFrom(...Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=')),
      mode: fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'swap'),
    });
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(tamper, async ({ rs, part, at, char, mode }) => {
        const original = rs ? validRs : valid;
        const parts = original.split('.');
        const segment = parts[part] ?? '';
        const i = at % Math.max(1, segment.length);
        const changed =
          mode === 'replace' ? segment.slice(0, i) + char + segment.slice(i + 1)
          : mode === 'insert' ? segment.slice(0, i) + char + segment.slice(i)
          : mode === 'delete' ? segment.slice(0, i) + segment.slice(i + 1)
          : mode === 'truncate' ? segment.slice(0, i)
          : (parts[(part + 1) % 3] ?? '');
        parts[part] = changed;
        const token = parts.join('.');
        // base64url is decoded leniently: a change in the signature's unused trailing bits is
        // the same signature. Anything else must be refused.
        const sameBytes = part === 2 && Buffer.from(changed, 'base64url').equals(Buffer.from(segment, 'base64url')) && !changed.includes('.') && !changed.includes('=');
        if (token === original || sameBytes) return;
        await expectRefused(token);
        refused += 1;
      }),
      { numRuns: 120 },
    );
    expect(refused).toBeGreaterThan(60);
  });
});

describe('claims', () => {
  it('refuses a missing, non-string, empty, placeholder or unusable sub', async () => {
    const subs: unknown[] = [undefined, null, 42, 0, true, {}, { id: 'alice' }, ['alice'], '', ' ', 'undefined', 'null', 'NULL', 'None', 'default', 'Anonymous', 'guest', 'system', '*', '0', ' auth-alice', 'auth alice', 'auth-alice\n', 'tab\there', 'x'.repeat(129), '\u0000'];
    for (const sub of subs) {
      await expectRefused(handmade({ alg: 'HS256' }, { ...(sub === undefined ? {} : { sub }), exp: inAnHour() }, TEST_SECRET));
      await expectRefused(await rs256(sub === undefined ? {} : { sub }));
    }
  });

  it('accepts exactly the sub it was given as the user id', async () => {
    for (const sub of ['auth-ünïcødé', 'a', 'x'.repeat(128), 'user@example.com', 'auth|123', '__proto__', 'constructor']) {
      await expectAccepted(handmade({ alg: 'HS256' }, { sub, exp: inAnHour() }, TEST_SECRET), sub);
    }
  });

  it('refuses expired, not-yet-valid and malformed time claims (beyond the 5 s clock tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [{ exp: now - 60 }, { exp: now - 3600 * 24 }, { exp: 0 }, { nbf: now + 60, exp: now + 3600 }, { exp: '9999999999' }, { exp: null }, { nbf: 'now', exp: now + 3600 }, { exp: now + 3600, iat: 'yesterday' }]) {
      await expectRefused(handmade({ alg: 'HS256' }, { sub: 'auth-time', ...claims }, TEST_SECRET));
      await expectRefused(await new SignJWT({ sub: 'auth-time', ...claims } as JWTPayload).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(rsa.privateKey));
    }
  });

  it('a token a moment past its expiry (inside the clock tolerance) gets no lasting connection', async () => {
    const token = handmade({ alg: 'HS256' }, { sub: 'auth-just-expired', exp: Math.floor(Date.now() / 1000) - 2 }, TEST_SECRET);
    const client = await TestClient.connect(server.wsUrl, token);
    const started = Date.now();
    expect((await client.closed).code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(client.events()).toEqual([]);
  });

  it('refuses garbage in every place a token can travel', async () => {
    for (const token of ['', 'a', 'a.b', 'a.b.c', '...', 'Bearer x', '%00', 'e30.e30.e30', `${b64({ alg: 'HS256' })}.${'A'.repeat(5000)}.`]) {
      for (const via of ['header', 'subprotocol', 'query'] as const) {
        // A subprotocol must be an HTTP token; the client library refuses to send anything else.
        if (via === 'subprotocol' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(token)) continue;
        const client = await TestClient.connect(server.wsUrl, token, { via });
        expect((await client.closed).code).toBe(4401);
        expect(client.frames).toEqual([]);
      }
    }
  });
});

describe('issuer and audience, when configured', () => {
  let strict: AgentwireServer;
  beforeAll(async () => {
    strict = await startTestServer({ auth: { jwtSecret: TEST_SECRET, jwksUrl, issuer: 'https://issuer.test', audience: 'agentwire' }, transport: { connectionsPerSecondPerIp: 10_000 }, httpRate: { requestsPerSecondPerAddress: 10_000 } });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('accepts the right issuer and audience, HS256 or RS256', async () => {
    await expectAccepted(await signToken('auth-iss', { issuer: 'https://issuer.test', audience: 'agentwire' }), 'auth-iss', strict);
    await expectAccepted(await rs256({ sub: 'auth-iss-rs', iss: 'https://issuer.test', aud: ['other', 'agentwire'] }), 'auth-iss-rs', strict);
  });

  it('refuses a wrong, missing or look-alike issuer or audience', async () => {
    const cases: { iss?: unknown; aud?: unknown }[] = [
      { aud: 'agentwire' },
      { iss: 'https://issuer.test' },
      { iss: 'https://evil.test', aud: 'agentwire' },
      { iss: 'https://issuer.test/', aud: 'agentwire' },
      { iss: 'https://ISSUER.test', aud: 'agentwire' },
      { iss: ['https://issuer.test'], aud: 'agentwire' },
      { iss: 'https://issuer.test', aud: 'agentwire2' },
      { iss: 'https://issuer.test', aud: 'Agentwire' },
      { iss: 'https://issuer.test', aud: ['other'] },
      { iss: 'https://issuer.test', aud: [] },
      { iss: 'https://issuer.test', aud: 42 },
    ];
    for (const claims of cases) {
      await expectRefused(handmade({ alg: 'HS256' }, { sub: 'auth-iss', exp: inAnHour(), ...claims }, TEST_SECRET), strict);
      await expectRefused(await rs256({ sub: 'auth-iss', ...claims }), strict);
    }
  });
});
