/**
 * What a token must say to open a connection, beyond a good signature: an `exp` (tokens that
 * never expire are refused unless the operator relaxes auth.requireExp), and a `sub` that is a
 * user id two people cannot confuse: no whitespace, invisible, control or unassigned characters,
 * no lone surrogates, Unicode normal form C. Each refusal is a 4401 whose reason says why.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseUserId, type AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken, TEST_SECRET } from '../helpers/tokens.js';
import { TestClient, type Closed } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ transport: { connectionsPerSecondPerIp: 10_000 } });
});
afterAll(async () => {
  await server.close();
});

/** The close the server sent, or 'open' with the user id it announced. */
async function outcome(token: string, on: AgentwireServer = server): Promise<Closed | { open: string }> {
  const client = await TestClient.connect(on.wsUrl, token);
  const result = await Promise.race([client.closed, client.waitFor((f) => f.type === 'connection_established', 10_000).then(() => undefined)]);
  if (result) return result;
  const userId = client.established.userId;
  await client.close();
  return { open: userId };
}

describe('exp', () => {
  it('a token without exp is closed with 4401 and a reason that names exp', async () => {
    const closed = await outcome(await signToken('claims-no-exp', { expiresIn: null }));
    expect(closed).toMatchObject({ code: 4401 });
    expect((closed as Closed).reason).toContain('"exp"');
    const reply = await fetch(`${server.url}/api/threads`, { headers: { authorization: `Bearer ${await signToken('claims-no-exp', { expiresIn: null })}` } });
    expect(reply.status).toBe(401);
  });

  it('auth.requireExp: false (AGENTWIRE_JWT_REQUIRE_EXP=0) lets it through', async () => {
    const relaxed = await startTestServer({ auth: { jwtSecret: TEST_SECRET, requireExp: false } });
    try {
      expect(await outcome(await signToken('claims-no-exp', { expiresIn: null }), relaxed)).toEqual({ open: 'claims-no-exp' });
    } finally {
      await relaxed.close();
    }
    expect(loadConfig({}).jwtRequireExp).toBe(true);
    expect(loadConfig({ AGENTWIRE_JWT_REQUIRE_EXP: '0' }).jwtRequireExp).toBe(false);
    expect(() => loadConfig({ AGENTWIRE_JWT_REQUIRE_EXP: 'sometimes' })).toThrow(/AGENTWIRE_JWT_REQUIRE_EXP/);
  });
});

const visibleId = fc.stringMatching(/^[a-z][a-z0-9._@-]{2,20}$/);
/** Characters that render as nothing, as a space, or reorder what follows. */
const invisible = fc.oneof(
  fc.constantFrom('\u00a0', '\u200b', '\u202e', '\u2028', '\u2029', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e', '\u3000', '\u3164', '\u115f', '\ufe0f', '\u061c', '\u2066', '\u0085', ' ', '\t', '\r', '\n', '\u000b'),
  fc.integer({ min: 0x2000, max: 0x200f }).map((c) => String.fromCharCode(c)), // spaces and zero-width marks
  fc.integer({ min: 0x0000, max: 0x001f }).map((c) => String.fromCharCode(c)), // C0 controls
  fc.integer({ min: 0x007f, max: 0x009f }).map((c) => String.fromCharCode(c)), // DEL, C1 controls
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), // lone surrogates
  fc.integer({ min: 0xe000, max: 0xf8ff }).map((c) => String.fromCharCode(c)), // private use
);
/** An id with one such character at any position. */
const tainted = fc.tuple(visibleId, invisible, fc.nat()).map(([id, char, at]) => {
  const i = at % (id.length + 1);
  return id.slice(0, i) + char + id.slice(i);
});

describe('user ids (the token sub)', () => {
  it('refuses any id with a whitespace, invisible, control, private-use or lone-surrogate character (property)', () => {
    fc.assert(
      fc.property(tainted, (id) => {
        expect(() => parseUserId(id)).toThrow(/U\+[0-9A-F]{4}/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('closes such a connection with 4401 and a reason that names the character (property, real sockets)', async () => {
    await fc.assert(
      fc.asyncProperty(tainted, async (id) => {
        const closed = await outcome(await signToken(id));
        expect(closed).toMatchObject({ code: 4401 });
        expect((closed as Closed).reason).toMatch(/unusable "sub".*U\+[0-9A-F]{4}/);
      }),
      { numRuns: 40 },
    );
  });

  it('alice and alice\\u00a0 are not two users: the look-alike is refused, alice is accepted', async () => {
    expect(await outcome(await signToken('claims-alice'))).toEqual({ open: 'claims-alice' });
    for (const lookalike of ['claims-alice\u00a0', 'claims-alice\u200b', '\u202eclaims-alice', 'claims-alice\u2028', 'claims-alice\ud800']) {
      expect(await outcome(await signToken(lookalike))).toMatchObject({ code: 4401 });
    }
    // The same letters composed and decomposed look identical: only the composed form (NFC) is an id.
    expect(await outcome(await signToken('claims-\u00e9'))).toEqual({ open: 'claims-\u00e9' });
    expect(await outcome(await signToken('claims-e\u0301'))).toMatchObject({ code: 4401, reason: expect.stringContaining('normal form C') as unknown });
  });

  it('still accepts visible ids of any script (property)', () => {
    const visible = fc.oneof(visibleId, fc.constantFrom('ünïcødé', 'アリス', 'алиса', 'user@example.com', 'auth|123', '😀-emoji', '__proto__'));
    fc.assert(
      fc.property(visible, (id) => {
        expect(parseUserId(id)).toBe(id);
      }),
    );
  });
});
