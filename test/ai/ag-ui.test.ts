/**
 * POST /api/ag-ui consumed by the real @ag-ui/client (its HttpAgent, its SSE parser and its own
 * event verification, none of which we wrote): if it accepts our stream, we conform. The same
 * runs must also reach the user's WebSocket with seqs and be in the store.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { HttpAgent, type AgentSubscriber } from '@ag-ui/client';
import { EventType, type BaseEvent, type Message } from '@ag-ui/core';
import { defineAgent, type AgentEvent } from 'agentwire';
import { calculatorTool, type AgentwireServer } from 'agentwire/server';
import { defineModelAgent, openAICompatibleModel } from 'agentwire/ai';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { FakeOpenAI, answer, sse, type Reply } from './fake-openai.js';

let fake: FakeOpenAI;
let server: AgentwireServer;
let warn: MockInstance;
let users = 0;
const clients: TestClient[] = [];

beforeAll(async () => {
  fake = await FakeOpenAI.start(() => answer(['unscripted']));
  const model = defineModelAgent({ name: 'model', model: openAICompatibleModel({ baseUrl: fake.baseUrl, model: 'fake-model' }), tools: [calculatorTool], maxRetries: 0 });
  server = await startTestServer({ agents: [model] });
});

afterAll(async () => {
  await server.close();
  await fake.close();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  warn.mockRestore();
});

/** @ag-ui/client warns (console.warn) about anything it had to strip, repair or could not place. */
function watchWarnings(): void {
  warn = vi.spyOn(console, 'warn');
}

function script(replies: Reply[]): number {
  const start = fake.requests.length;
  fake.script((_body, index) => replies[index - start] ?? answer(['(no more replies)']));
  return start;
}

async function signIn(): Promise<{ userId: string; token: string; ws: TestClient }> {
  users += 1;
  const userId = `ag-ui-user-${users}`;
  const token = await signToken(userId);
  const ws = await TestClient.open(server.wsUrl, token);
  clients.push(ws);
  watchWarnings();
  return { userId, token, ws };
}

function httpAgent(token: string, options: { path?: string; threadId?: string; text?: string } = {}): HttpAgent {
  return new HttpAgent({
    url: `${server.url}${options.path ?? '/api/ag-ui'}`,
    headers: { Authorization: `Bearer ${token}` },
    threadId: options.threadId ?? `client-thread-${users}`,
    initialMessages: [{ id: `msg-${users}`, role: 'user', content: options.text ?? 'What is 17 * 23?' }],
  });
}

/** Runs the agent and records every event its subscriber saw, in order. */
async function runRecorded(agent: HttpAgent, runId: string): Promise<{ events: BaseEvent[]; result: unknown; newMessages: Message[] }> {
  const events: BaseEvent[] = [];
  const subscriber: AgentSubscriber = {
    onEvent: ({ event }) => {
      events.push(event);
    },
  };
  const { result, newMessages } = await agent.runAgent({ runId }, subscriber);
  return { events, result, newMessages };
}

const types = (events: readonly { type: string }[]) => events.map((e) => e.type);

const MODEL_ROUND_TRIP: Reply[] = [
  {
    kind: 'stream',
    steps: [sse.role(), sse.reasoning('The user wants the product '), sse.reasoning('of two numbers.'), sse.reasoning(' I will use the calculator.'), sse.text('Let me calculate.'), ...sse.toolCall(0, 'call_m1', 'calculator', '{"expression": "17 * 23"}'), sse.finish('tool_calls'), sse.usage(40, 12, 5), sse.done()],
  },
  answer(['17 * 23 = ', '391'], { usage: [70, 8] }),
];

describe('AG-UI endpoint, consumed by @ag-ui/client', () => {
  it('streams a model run (reasoning, text, a tool round trip) that HttpAgent accepts and verifies', async () => {
    const { token, ws } = await signIn();
    script(MODEL_ROUND_TRIP);
    const agent = httpAgent(token, { path: '/api/ag-ui/model' });
    const { events, result, newMessages } = await runRecorded(agent, 'client-run-1');

    expect(types(events)).toEqual([
      'RUN_STARTED',
      'REASONING_START',
      'REASONING_MESSAGE_START',
      'REASONING_MESSAGE_CONTENT',
      'REASONING_MESSAGE_CONTENT',
      'REASONING_MESSAGE_END',
      'REASONING_END',
      'TEXT_MESSAGE_START',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_END',
      'TOOL_CALL_START',
      'TOOL_CALL_ARGS',
      'TOOL_CALL_END',
      'TOOL_CALL_RESULT',
      'TEXT_MESSAGE_START',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_END',
      'RUN_FINISHED',
    ]);
    const started = events[0] as BaseEvent & { threadId: string; runId: string; metadata: { agentwire: { threadId: string; runId: string } } };
    expect(started).toMatchObject({ threadId: `client-thread-${users}`, runId: 'client-run-1', protocolVersion: '1.0' });
    const ours = started.metadata.agentwire;
    expect(ours.threadId).toMatch(/^thr_/);
    expect(ours.runId).toMatch(/^run_/);

    const finished = events.at(-1) as BaseEvent & { result: { text: string }; usage: unknown[] };
    expect(finished).toMatchObject({ threadId: `client-thread-${users}`, runId: 'client-run-1' });
    expect(finished.result.text).toBe('Let me calculate.17 * 23 = 391');
    expect(finished.usage).toEqual([{ provider: 'openai-compatible.chat', model: 'fake-model', inputTokens: 110, outputTokens: 20, totalTokens: 130, reasoningTokens: 5, cachedInputTokens: 0 }]);
    expect(result).toEqual(finished.result);

    // The client built the conversation from our events: reasoning, the assistant turn holding
    // the tool call, the tool's answer, and the final text.
    const toolCallId = (events.find((e) => e.type === EventType.TOOL_CALL_START) as BaseEvent & { toolCallId: string }).toolCallId;
    expect(newMessages.map((m) => m.role)).toEqual(['reasoning', 'assistant', 'tool', 'assistant']);
    // Two agent_thinking events of the same model step: one reasoning message.
    expect(newMessages[0]).toMatchObject({ role: 'reasoning', content: 'The user wants the product of two numbers. I will use the calculator.' });
    expect(newMessages[1]).toMatchObject({
      role: 'assistant',
      content: 'Let me calculate.',
      toolCalls: [{ id: toolCallId, type: 'function', function: { name: 'calculator', arguments: '{"expression":"17 * 23"}' } }],
    });
    expect(newMessages[2]).toMatchObject({ role: 'tool', toolCallId });
    expect(JSON.parse((newMessages[2] as { content: string }).content)).toEqual({ expression: '17 * 23', value: 391, formatted: '391' });
    expect(newMessages[3]).toMatchObject({ role: 'assistant', content: '17 * 23 = 391' });
    expect(warn).not.toHaveBeenCalled();

    // The same run, on the user's WebSocket with gapless seqs, and in the store.
    const terminal = await ws.terminalOf(ours.runId);
    expect(terminal.type).toBe('agent_completed');
    const wsEvents = ws.runEvents(ours.runId);
    expect(wsEvents.map((e) => e.type)).toEqual(['agent_started', 'agent_thinking', 'agent_thinking', 'agent_message_delta', 'tool_executing', 'tool_completed', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    expect(seqs(wsEvents)).toEqual(range(wsEvents[0]!.seq, wsEvents[0]!.seq + wsEvents.length - 1));
    expect((wsEvents.find((e) => e.type === 'tool_executing')!.data as { toolCallId: string }).toolCallId).toBe(toolCallId);
    const history = await fetchJson(`/api/threads/${ours.threadId}/events`, token);
    expect(history.status).toBe(200);
    expect((history.body as { events: AgentEvent[] }).events).toEqual(wsEvents);
  });

  it('streams the deterministic assistant: thoughts as separate reasoning messages, a tool call, the answer', async () => {
    const { token, ws } = await signIn();
    const { events, newMessages } = await runRecorded(httpAgent(token), 'client-run-assistant');
    const kinds = types(events);
    expect(kinds[0]).toBe('RUN_STARTED');
    expect(kinds.at(-1)).toBe('RUN_FINISHED');
    // Each thought of the assistant carries its own step, so each is its own reasoning message.
    const thoughts = newMessages.filter((m) => m.role === 'reasoning').map((m) => m.content);
    expect(thoughts.length).toBeGreaterThanOrEqual(3);
    expect(thoughts[0]).toMatch(/^Reading the question/);
    expect(kinds.filter((k) => k === 'REASONING_START')).toHaveLength(thoughts.length);
    expect(kinds).toContain('TOOL_CALL_RESULT');
    const text = newMessages.map((m) => (m.role === 'assistant' ? (m.content ?? '') : '')).join('');
    expect(text).toContain('391');
    expect(warn).not.toHaveBeenCalled();
    const runId = agentwireIds(events[0]).runId;
    expect((await ws.terminalOf(runId)).type).toBe('agent_completed');
  });

  it('ends a run whose model failed with RUN_ERROR carrying the agent_error code', async () => {
    const { token, ws } = await signIn();
    script([{ kind: 'http-error', status: 503, message: 'no capacity' }]);
    const events: BaseEvent[] = [];
    await httpAgent(token, { path: '/api/ag-ui/model' })
      .runAgent({ runId: 'client-run-error' }, { onEvent: ({ event }) => void events.push(event) })
      .catch(() => undefined);
    expect(types(events)).toEqual(['RUN_STARTED', 'RUN_ERROR']);
    expect(events[1]).toMatchObject({ code: 'provider_error', message: expect.stringContaining('no capacity') as unknown });
    const runId = agentwireIds(events[0]).runId;
    expect((await ws.terminalOf(runId)).data).toMatchObject({ code: 'provider_error' });
  });

  it('aborting the request cancels the run, down to the model request', async () => {
    const { token, ws } = await signIn();
    const start = script([{ kind: 'stream', steps: [sse.role(), ...Array.from({ length: 100 }, (_, i) => sse.text(`word${i} `, 40)), sse.finish('stop'), sse.done()] }]);
    const agent = httpAgent(token, { path: '/api/ag-ui/model' });
    const events: BaseEvent[] = [];
    const running = agent.runAgent(
      { runId: 'client-run-abort' },
      {
        onEvent: ({ event }) => {
          events.push(event);
          if (event.type === EventType.TEXT_MESSAGE_CONTENT && events.filter((e) => e.type === EventType.TEXT_MESSAGE_CONTENT).length === 2) agent.abortRun();
        },
      },
    );
    await running.catch(() => undefined);
    const runId = agentwireIds(events[0]).runId;
    const terminal = await ws.terminalOf(runId);
    expect(terminal.type).toBe('agent_error');
    expect(terminal.data).toMatchObject({ code: 'cancelled' });
    await fake.requests[start]!.over;
    expect(fake.requests[start]!.abortedByClient).toBe(true);
  });
});

describe('AG-UI endpoint: ids, retries, refusals', () => {
  it('a retried request with the same runId replays the run instead of starting another', async () => {
    const { token, ws } = await signIn();
    const body = runInput('retry-thread', 'retry-run', 'What is 2 + 2?');
    const first = await postSse(body, token);
    const second = await postSse(body, token);
    expect(types(second)).toEqual(types(first));
    expect(second.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: 'retry-run' });
    const ours = agentwireIds(first[0]).runId;
    expect(agentwireIds(second[0]).runId).toBe(ours);
    await ws.terminalOf(ours);
    expect(new Set(ws.events().map((e) => e.runId))).toEqual(new Set([ours]));
  });

  it('an AG-UI threadId that is one of the user’s agentwire threads continues it', async () => {
    const { token } = await signIn();
    const first = await postSse(runInput('my-client-thread', 'run-a', 'What is 1 + 1?'), token);
    const thread = agentwireIds(first[0]).threadId;
    const second = await postSse(runInput(thread, 'run-b', 'What is 2 + 2?'), token);
    expect(second[0]).toMatchObject({ threadId: thread, metadata: { agentwire: { threadId: thread } } });
    const history = await fetchJson(`/api/threads/${thread}/events`, token);
    expect(new Set((history.body as { events: AgentEvent[] }).events.map((e) => e.runId)).size).toBe(2);

    // Someone else's thread id is refused, not silently continued or forked.
    const intruder = await signToken('ag-ui-intruder');
    const refused = await post(runInput(thread, 'run-c', 'hi'), intruder);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('refuses what it cannot run with a JSON error code', async () => {
    const token = await signToken('ag-ui-refusals');
    const cases: [Response, number, string][] = [
      [await post(runInput('t', 'r1', 'hi'), undefined), 401, 'UNAUTHORIZED'],
      [await post(runInput('t', 'r2', 'hi'), 'not-a-jwt'), 401, 'UNAUTHORIZED'],
      [await post('{not json', token), 400, 'INVALID_MESSAGE'],
      [await post({ threadId: 't', runId: 'r3' }, token), 400, 'INVALID_MESSAGE'],
      [await post({ ...runInput('t', 'r4', 'hi'), messages: [{ id: 'a', role: 'assistant', content: 'hello' }] }, token), 400, 'INVALID_MESSAGE'],
      [await post(runInput('t', 'r5', 'hi'), token, '/api/ag-ui/nobody'), 404, 'UNKNOWN_AGENT'],
      [await fetch(`${server.url}/api/ag-ui`, { headers: { authorization: `Bearer ${token}` } }), 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [response, status, code] of cases) {
      expect({ status: response.status, body: (await response.json()) as unknown }).toMatchObject({ status, body: { error: { code } } });
    }
  });
});

describe('AG-UI endpoint: queueing, cancel from elsewhere, a dead agent', () => {
  let limited: AgentwireServer;

  beforeAll(async () => {
    const waiter = defineAgent({
      name: 'waiter',
      description: 'Streams a word every 50 ms, twenty times',
      async run(_input, ctx) {
        for (let i = 0; i < 20; i++) {
          await ctx.say(`w${i} `);
          await ctx.sleep(50);
        }
        return { words: 20 };
      },
    });
    const silent = defineAgent({
      name: 'silent',
      description: 'Says nothing and never finishes',
      async run(_input, ctx) {
        await ctx.sleep(60_000);
        return null;
      },
    });
    limited = await startTestServer({ agents: [waiter, silent], engine: { maxRunsPerUser: 1, heartbeatTimeoutMs: 300 } });
  });

  afterAll(async () => {
    await limited.close();
  });

  async function limitedUser(): Promise<{ token: string; ws: TestClient }> {
    users += 1;
    const token = await signToken(`ag-ui-limited-${users}`);
    const ws = await TestClient.open(limited.wsUrl, token);
    clients.push(ws);
    watchWarnings();
    return { token, ws };
  }

  function limitedAgent(token: string, agent: string): HttpAgent {
    return new HttpAgent({
      url: `${limited.url}/api/ag-ui/${agent}`,
      headers: { Authorization: `Bearer ${token}` },
      initialMessages: [{ id: `msg-${users}`, role: 'user', content: 'go' }],
    });
  }

  it('a run waiting for a slot reports it as an ACTIVITY_SNAPSHOT, then runs', async () => {
    const { token, ws } = await limitedUser();
    await ws.submit('first', { agent: 'waiter' });
    const { events } = await runRecorded(limitedAgent(token, 'waiter'), 'queued-run');
    expect(types(events).slice(0, 2)).toEqual(['RUN_STARTED', 'ACTIVITY_SNAPSHOT']);
    expect(events[1]).toMatchObject({ activityType: 'progress', content: { message: expect.stringMatching(/^Waiting/) as unknown, progress: 0 } });
    expect(events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', result: { words: 20 } });
    expect(warn).not.toHaveBeenCalled();
  });

  it('a run cancelled from the user’s WebSocket ends the AG-UI stream with RUN_FINISHED outcome cancelled', async () => {
    const { token, ws } = await limitedUser();
    const running = runRecorded(limitedAgent(token, 'waiter'), 'cancelled-elsewhere');
    const started = await ws.waitFor<AgentEvent>((f) => f.type === 'agent_message_delta');
    ws.send({ type: 'cancel', runId: started.runId });
    const { events } = await running;
    expect(events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: 'cancelled-elsewhere', outcome: { type: 'cancelled' } });
    expect(types(events).at(-2)).toBe('TEXT_MESSAGE_END');
  });

  it('an agent that dies (no heartbeat) ends the stream with RUN_ERROR carrying the cause', async () => {
    const { token } = await limitedUser();
    const events: BaseEvent[] = [];
    await limitedAgent(token, 'silent')
      .runAgent({ runId: 'dead-run' }, { onEvent: ({ event }) => void events.push(event) })
      .catch(() => undefined);
    expect(types(events)).toEqual(['RUN_STARTED', 'RUN_ERROR']);
    expect(events[1]).toMatchObject({ code: 'no_heartbeat' });
  });
});

function runInput(threadId: string, runId: string, text: string): object {
  return { threadId, runId, messages: [{ id: `m-${runId}`, role: 'user', content: text }], tools: [], context: [], state: {}, forwardedProps: {} };
}

function post(body: object | string, token: string | undefined, path = '/api/ag-ui'): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

type WireEvent = { type: string } & Record<string, unknown>;

/** The ids agentwire issued, from RUN_STARTED's metadata. */
function agentwireIds(runStarted: WireEvent | BaseEvent | undefined): { threadId: string; runId: string } {
  return (runStarted?.metadata as { agentwire: { threadId: string; runId: string } }).agentwire;
}

/** POSTs and reads the whole SSE answer into events. */
async function postSse(body: object, token: string): Promise<WireEvent[]> {
  const response = await post(body, token);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => JSON.parse(block.slice(6)) as WireEvent);
}

async function fetchJson(path: string, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}
