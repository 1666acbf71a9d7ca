/**
 * A resume from another epoch (the store lost its data and started over) below the new head:
 * the seqs name different events now, so the server must say recovered: false and replay
 * nothing, never hand the client the new epoch's events as if they continued its own.
 * (resume.test.ts covers a wrong epoch beyond the head, which a seq check alone also catches.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, seqs } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('resume across epochs', () => {
  it('a wrong epoch below the head gets recovered: false and no replay', async () => {
    const token = await signToken('epoch-erin');
    const first = await TestClient.open(server.wsUrl, token);
    const { runId } = await first.submit(streamInput(4), { agent: 'stream' });
    await first.terminalOf(runId);
    const head = first.events().length;
    await first.close();

    const stale = await TestClient.open(server.wsUrl, token, { lastSeq: 2, epoch: 'an-epoch-the-store-no-longer-has' });
    expect(await stale.waitFor((f) => f.type === 'resumed')).toMatchObject({ fromSeq: 3, toSeq: head, recovered: false });
    // Live from the head on: the next run's events, nothing of the old range.
    const next = await stale.submit(streamInput(1), { agent: 'stream' });
    await stale.terminalOf(next.runId);
    expect(seqs(stale.events())).toEqual([head + 1, head + 2, head + 3]);
    await stale.close();
  });
});
