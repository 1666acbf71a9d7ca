/**
 * The demo assistant through the real server, as the page meets it: what it streams for
 * questions it cannot answer, for a pasted essay and for a compound request, read from the
 * frames the server sent. And its simulated pacing, on only when asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from 'agentwire/client';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

let server: AgentwireServer;
let paced: AgentwireServer;
beforeAll(async () => {
  [server, paced] = await Promise.all([startTestServer(), startTestServer({ demoPacing: true })]);
});
afterAll(async () => {
  await Promise.all([server.close(), paced.close()]);
});

async function askServer(target: AgentwireServer, user: string, text: string): Promise<{ answer: string; events: AgentEvent[] }> {
  const client = await TestClient.open(target.wsUrl, await signToken(user));
  try {
    const { runId } = await client.submit(text);
    const terminal = await client.terminalOf(runId);
    expect(terminal.type).toBe('agent_completed');
    const events = client.runEvents(runId);
    const answer = events.flatMap((e) => (e.type === 'agent_message_delta' ? [e.data.delta] : [])).join('');
    return { answer, events };
  } finally {
    await client.close();
  }
}

const toolNames = (events: AgentEvent[]) => events.flatMap((e) => (e.type === 'tool_executing' ? [e.data.toolName] : []));

describe('the demo assistant over the server', () => {
  it('answers an off-script question with what it can do, and no documentation snippets', async () => {
    const { answer, events } = await askServer(server, 'offscript-ann', 'Can you recommend a good book about Rome?');
    expect(toolNames(events)).toEqual([]);
    expect(answer).toContain("That's not something I can help with.");
    expect(answer).toContain('I can do arithmetic');
    expect(answer).not.toMatch(/documentation says|[|`\u2500-\u257f]/);
  });

  it('answers a 5,000-character message without leaking a validation error', async () => {
    const text = `What does the protocol say about events? ${'I would like to know all about it. '.repeat(200)}`.slice(0, 5000);
    const { answer, events } = await askServer(server, 'offscript-ben', text);
    const completed = events.flatMap((e) => (e.type === 'tool_completed' ? [e.data.status] : []));
    expect(completed.every((status) => status === 'success')).toBe(true);
    expect(answer).not.toMatch(/invalid arguments|Too big|expected string|<=500/);
  });

  it('handles each part of "compute (2+3)*4 and then tell me a joke", naming the joke as skipped', async () => {
    const { answer, events } = await askServer(server, 'offscript-cat', 'compute (2+3)*4 and then tell me a joke');
    expect(toolNames(events)).toEqual(['calculator']);
    expect(answer).toContain('(2+3)*4 = 20.');
    expect(answer).toContain('I skipped "tell me a joke"');
  });

  it('spreads a run over a second or more with demoPacing, thinking first and then streaming', async () => {
    const { events } = await askServer(paced, 'paced-dan', 'What is 17 * 23?');
    const first = Date.parse(events[0]!.ts);
    const last = Date.parse(events.at(-1)!.ts);
    // A lower bound only: on a loaded machine a run can take longer, never shorter.
    expect(last - first).toBeGreaterThanOrEqual(1000);
    const deltas = events.filter((e) => e.type === 'agent_message_delta');
    expect(deltas.length).toBeGreaterThan(0);
  });
});
