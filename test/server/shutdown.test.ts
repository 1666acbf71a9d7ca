/**
 * Shutdown: every run in flight at close() ends with exactly one terminal event, its last, as
 * the client saw it on the wire (before the 1001 close) and as the store holds it afterwards.
 * Running runs past the grace period and queued runs end with agent_error "shutdown"; a run
 * that finishes within the grace period completes normally.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, type StoredEvent } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

const dir = mkdtempSync(join(tmpdir(), 'agentwire-shutdown-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const TERMINALS = new Set(['agent_completed', 'agent_error', 'agent_death']);

/** Every run's terminal events, and whether the terminal is the run's last event. */
function terminalsByRun(events: readonly { runId: string; type: string }[]): Map<string, { terminals: string[]; lastIsTerminal: boolean }> {
  const runs = new Map<string, { terminals: string[]; lastIsTerminal: boolean }>();
  for (const event of events) {
    const run = runs.get(event.runId) ?? { terminals: [], lastIsTerminal: false };
    if (TERMINALS.has(event.type)) run.terminals.push(event.type);
    run.lastIsTerminal = TERMINALS.has(event.type);
    runs.set(event.runId, run);
  }
  return runs;
}

async function storedEvents(path: string, userId: string): Promise<StoredEvent[]> {
  const store = new SqliteEventStore(path);
  try {
    return await store.readAfter(userId, 0, 100_000);
  } finally {
    await store.close();
  }
}

describe('shutdown', () => {
  it('runs in flight at close() each get exactly one terminal event, seen by the client before 1001 and kept by the store', async () => {
    const path = join(dir, 'shutdown.db');
    const server = await startTestServer({ store: `sqlite:${path}`, engine: { maxRunsPerUser: 2 }, shutdownGraceMs: 3_000 });
    const long = await TestClient.open(server.wsUrl, await signToken('sd-long'));
    const quick = await TestClient.open(server.wsUrl, await signToken('sd-quick'));
    // Two running (60 s each, far past the grace period) and two queued behind them.
    const running = [await long.submit(streamInput(3000, 20), { agent: 'stream' }), await long.submit(streamInput(3000, 20), { agent: 'stream' })];
    const queued = [await long.submit(streamInput(5), { agent: 'stream' }), await long.submit(streamInput(5), { agent: 'stream' })];
    for (const { runId } of running) await long.waitFor((f) => 'seq' in f && f.runId === runId && f.type === 'agent_message_delta');
    for (const { runId } of queued) await long.waitFor((f) => 'seq' in f && f.runId === runId && f.type === 'progress_update');
    // Finishes well within the grace period: it is allowed to complete.
    const finishing = await quick.submit(streamInput(5, 100), { agent: 'stream' });
    await quick.waitFor((f) => 'seq' in f && f.runId === finishing.runId && f.type === 'agent_started');

    await server.close();
    expect((await long.closed).code).toBe(1001);
    expect((await quick.closed).code).toBe(1001);

    // What the clients received on the wire, before the close.
    const longRuns = terminalsByRun(long.events());
    for (const { runId } of [...running, ...queued]) {
      expect(longRuns.get(runId)).toEqual({ terminals: ['agent_error'], lastIsTerminal: true });
      expect(long.runEvents(runId).at(-1)).toMatchObject({ type: 'agent_error', data: { code: 'shutdown' } });
    }
    expect(seqs(long.events())).toEqual(range(1, long.events().length));
    expect(terminalsByRun(quick.events()).get(finishing.runId)).toEqual({ terminals: ['agent_completed'], lastIsTerminal: true });

    // What the store kept: the same, one terminal per run, last; nothing left running.
    const stored = await storedEvents(path, 'sd-long');
    expect(stored.length).toBe(long.events().length);
    const storedRuns = terminalsByRun(stored);
    for (const { runId } of [...running, ...queued]) expect(storedRuns.get(runId)).toEqual({ terminals: ['agent_error'], lastIsTerminal: true });
    expect(terminalsByRun(await storedEvents(path, 'sd-quick')).get(finishing.runId)).toEqual({ terminals: ['agent_completed'], lastIsTerminal: true });
    const reopened = new SqliteEventStore(path);
    expect(await reopened.unfinishedRuns('local')).toEqual([]);
    await reopened.close();
  }, 30_000);
});
