import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from 'agentwire/server';
import { streamInput } from '../helpers/server.js';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

const dir = mkdtempSync(join(tmpdir(), 'agentwire-lock-'));
let n = 0;

/** One run on the server, to its terminal event: the store behind it accepts appends. */
async function completesARun(server: ChildServer, user: string): Promise<string> {
  const client = await TestClient.open(server.wsUrl, await signToken(user));
  try {
    const { runId } = await client.submit(streamInput(5), { agent: 'stream' });
    return (await client.terminalOf(runId)).type;
  } finally {
    await client.close();
  }
}

describe('one process per SQLite file', () => {
  it('a second store on the same file in this process is refused with STORE_LOCKED; once the first closes, it opens', async () => {
    const path = join(dir, `same-process-${++n}.db`);
    const first = new SqliteEventStore(path);
    let refused: unknown;
    try {
      new SqliteEventStore(path);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'STORE_LOCKED' });
    expect((refused as Error).message).toContain(path);
    expect((refused as Error).message).toContain(`pid ${process.pid}`);
    await first.close();
    const second = new SqliteEventStore(path);
    await second.close();
  });

  it('a second server on the same file stops at start-up naming the file and the holder; after the holder is SIGKILLed a new server starts and runs', async () => {
    const path = join(dir, `two-servers-${++n}.db`);
    const holder = await spawnServer({ AGENTWIRE_STORE: `sqlite:${path}` });
    let successor: ChildServer | undefined;
    try {
      const refusal = await spawnServer({ AGENTWIRE_STORE: `sqlite:${path}` }).then(
        async (second) => {
          await second.kill();
          return 'the second server started';
        },
        (error: unknown) => String(error),
      );
      expect(refusal).toContain(`SQLite store ${path} is in use by another process: pid ${holder.process.pid}`);
      // The refused server did not disturb the holder: its runs still end normally.
      expect(await completesARun(holder, 'lock-alice')).toBe('agent_completed');

      await holder.kill('SIGKILL');
      successor = await spawnServer({ AGENTWIRE_STORE: `sqlite:${path}` });
      expect(await completesARun(successor, 'lock-bob')).toBe('agent_completed');
    } finally {
      await holder.kill();
      await successor?.kill('SIGTERM');
    }
  }, 90_000);
});
