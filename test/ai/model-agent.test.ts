/**
 * A model agent end to end, without the internet: the real AI SDK and its openai-compatible
 * provider talk HTTP to a scripted OpenAI-compatible server; a real agentwire server runs the
 * agent; a WebSocket client records what the server sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from 'agentwire';
import { calculatorTool, type AgentwireServer } from 'agentwire/server';
import { defineModelAgent, openAICompatibleModel, type ModelAgentOptions } from 'agentwire/ai';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { FakeOpenAI, answer, sse, type Reply } from './fake-openai.js';

let fake: FakeOpenAI;
let server: AgentwireServer;
let client: TestClient;
let user = 0;

function modelAgent(name: string, options: Partial<ModelAgentOptions> = {}) {
  return defineModelAgent({
    name,
    model: openAICompatibleModel({ baseUrl: fake.baseUrl, model: 'fake-model', apiKey: 'sk-test' }),
    system: 'You are a terse assistant.',
    tools: [calculatorTool],
    maxRetries: 0,
    ...options,
  });
}

beforeAll(async () => {
  fake = await FakeOpenAI.start(() => answer(['unscripted']));
  server = await startTestServer({
    agents: [modelAgent('model'), modelAgent('model-retry', { maxRetries: 1 }), modelAgent('model-bare', { tools: [] })],
    defaultAgent: 'model',
  });
});

afterAll(async () => {
  await server.close();
  await fake.close();
});

async function connect(): Promise<TestClient> {
  user += 1;
  client = await TestClient.open(server.wsUrl, await signToken(`model-user-${user}`));
  return client;
}

afterEach(async () => {
  await client.close();
});

/** Runs one message with the fake model scripted by `replies`, and returns the run's events. */
async function run(replies: Reply[], text = 'hello', agent = 'model'): Promise<{ runId: string; threadId: string; events: AgentEvent[] }> {
  script(replies);
  const c = await connect();
  const { runId, threadId } = await c.submit(text, { agent });
  await c.terminalOf(runId);
  return { runId, threadId, events: c.runEvents(runId) };
}

const types = (events: AgentEvent[]) => events.map((e) => e.type);

/** Scripts the next model requests; returns the index of the first of them. */
function script(replies: Reply[]): number {
  const start = fake.requests.length;
  fake.script((_body, index) => replies[index - start] ?? answer(['(no more replies)']));
  return start;
}

describe('model agent: event mapping', () => {
  it('passes the thread\'s earlier turns to the model as its conversation', async () => {
    script([answer(['Paris.']), answer(['About 2.1 million.'])]);
    const c = await connect();
    const first = await c.submit('What is the capital of France?', { agent: 'model' });
    await c.terminalOf(first.runId);
    const second = await c.submit('And its population?', { agent: 'model', threadId: first.threadId });
    await c.terminalOf(second.runId);
    expect(fake.requests.at(-1)!.body.messages).toEqual([
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'And its population?' },
    ]);
  });

  it('streams reasoning as agent_thinking, text as agent_message_delta and ends with the usage', async () => {
    const reasoning = ['The user ', 'greets me, so I should ', 'greet them back.', ' Short and', ' friendly.'];
    const { events } = await run([answer(['Hello', ', world', '!'], { reasoning, usage: [31, 9] })], 'hi there');
    expect(types(events)).toEqual(['agent_started', 'agent_thinking', 'agent_thinking', 'agent_message_delta', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    expect(seqs(events)).toEqual(range(events[0]!.seq, events[0]!.seq + events.length - 1));
    const thinking = events.filter((e) => e.type === 'agent_thinking').map((e) => e.data);
    // Reasoning tokens are coalesced into sentences; one model call is one step.
    expect(thinking).toEqual([{ reasoning: 'The user greets me, so I should greet them back.', step: 0 }, { reasoning: ' Short and friendly.', step: 0 }]);
    expect(events.filter((e) => e.type === 'agent_message_delta').map((e) => e.data.delta).join('')).toBe('Hello, world!');
    const completed = events.at(-1)!;
    expect(completed.type).toBe('agent_completed');
    expect(completed.data).toMatchObject({
      result: { text: 'Hello, world!', finishReason: 'stop', steps: 1, usage: { inputTokens: 31, outputTokens: 9, totalTokens: 40 }, model: { modelId: 'fake-model' } },
    });

    // What the provider sent over HTTP: our system prompt, the user's text, the tool as JSON Schema.
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body).toMatchObject({ model: 'fake-model', stream: true, stream_options: { include_usage: true } });
    expect(request.body.messages).toEqual([
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'hi there' },
    ]);
    expect(request.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'calculator',
          description: calculatorTool.description,
          parameters: { type: 'object', properties: { expression: { type: 'string', minLength: 1, maxLength: 500 } }, required: ['expression'] },
        },
      },
    ]);
  });

  it('sends no tools to the model when the agent has none', async () => {
    await run([answer(['ok'])], 'hello', 'model-bare');
    expect(fake.requests.at(-1)!.body.tools).toBeUndefined();
  });
});

describe('model agent: tools', () => {
  it('does a tool round trip across two model steps, through the dispatcher', async () => {
    const { events } = await run(
      [
        {
          kind: 'stream',
          steps: [sse.role(), sse.reasoning('Need arithmetic.'), sse.text('Let me calculate. '), ...sse.toolCall(0, 'call_model_1', 'calculator', '{"expression": "17 * 23"}', 4), sse.finish('tool_calls'), sse.usage(40, 12), sse.done()],
        },
        answer(['17 * 23 = ', '391'], { usage: [70, 8] }),
      ],
      'What is 17 * 23?',
    );
    expect(types(events)).toEqual([
      'agent_started',
      'agent_thinking',
      'agent_message_delta',
      'tool_executing',
      'tool_completed',
      'agent_message_delta',
      'agent_message_delta',
      'agent_completed',
    ]);
    const executing = events.find((e) => e.type === 'tool_executing')!;
    const completed = events.find((e) => e.type === 'tool_completed')!;
    expect(executing.data).toMatchObject({ toolName: 'calculator', args: { expression: '17 * 23' } });
    expect(completed.data).toMatchObject({ toolName: 'calculator', status: 'success', result: { value: 391, formatted: '391' } });
    expect((completed.data as { toolCallId: string }).toolCallId).toBe((executing.data as { toolCallId: string }).toolCallId);
    expect((completed.data as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    expect(events.at(-1)!.data).toMatchObject({ result: { text: 'Let me calculate. 17 * 23 = 391', steps: 2, finishReason: 'stop', usage: { inputTokens: 110, outputTokens: 20 } } });

    // The second model call carried the tool's result back, under the model's own call id.
    const second = fake.requests.at(-1)!.body;
    const assistant = second.messages.find((m) => m.role === 'assistant')!;
    expect(assistant.tool_calls).toEqual([{ id: 'call_model_1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"17 * 23"}' } }]);
    const tool = second.messages.find((m) => m.role === 'tool')!;
    expect(tool.tool_call_id).toBe('call_model_1');
    expect(JSON.parse(tool.content as string)).toEqual({ expression: '17 * 23', value: 391, formatted: '391' });
  });

  it('keeps a tool call after the text the model streamed before it, even when the agent lags behind the stream', async () => {
    // Past 256 emits in one turn the emitter yields to the event loop, so the agent falls behind
    // the AI SDK, which would start the tool early: the gate makes the call wait for its turn.
    const words = Array.from({ length: 400 }, (_, i) => sse.text(`w${i} `));
    const { events } = await run([
      { kind: 'stream', steps: [sse.role(), ...words, ...sse.toolCall(0, 'call_late', 'calculator', '{"expression":"1+1"}'), sse.finish('tool_calls'), sse.done()] },
      answer(['2']),
    ]);
    const executing = events.findIndex((e) => e.type === 'tool_executing');
    expect(events.slice(0, executing).filter((e) => e.type === 'agent_message_delta')).toHaveLength(400);
    expect(types(events.slice(executing))).toEqual(['tool_executing', 'tool_completed', 'agent_message_delta', 'agent_completed']);
  });

  it('reports arguments the tool refuses as a failed call, and lets the model correct itself', async () => {
    const { events } = await run([
      { kind: 'stream', steps: [sse.role(), ...sse.toolCall(0, 'call_bad', 'calculator', '{"expr": "1+1"}'), sse.finish('tool_calls'), sse.done()] },
      answer(['Sorry, 1+1 = 2']),
    ]);
    const completed = events.find((e) => e.type === 'tool_completed')!;
    expect(completed.data).toMatchObject({ toolName: 'calculator', status: 'error' });
    expect((completed.data as { error: string }).error).toMatch(/invalid arguments: expression/);
    const tool = fake.requests.at(-1)!.body.messages.find((m) => m.role === 'tool')!;
    expect(JSON.parse(tool.content as string)).toMatchObject({ status: 'error', error: expect.stringMatching(/invalid arguments/) as unknown });
    expect(events.at(-1)!.type).toBe('agent_completed');
  });

  it('reports a call to a tool the agent does not have, and arguments that are not JSON', async () => {
    const { events } = await run([
      {
        kind: 'stream',
        steps: [sse.role(), ...sse.toolCall(0, 'call_x', 'shell', '{"cmd":"ls"}', 1), ...sse.toolCall(1, 'call_y', 'calculator', '{"expression": ', 1), sse.finish('tool_calls'), sse.done()],
      },
      answer(['I cannot do that.']),
    ]);
    const failed = events.filter((e) => e.type === 'tool_completed').map((e) => e.data as { toolName: string; status: string; error: string });
    expect(failed).toEqual([
      expect.objectContaining({ toolName: 'shell', status: 'error', error: 'unknown tool "shell"' }),
      expect.objectContaining({ toolName: 'calculator', status: 'error', error: expect.stringMatching(/^invalid arguments/) as unknown }),
    ]);
    expect(events.at(-1)!.type).toBe('agent_completed');
  });
});

describe('model agent: cancel and failures', () => {
  it('cancel mid-stream ends the run and aborts the HTTP request to the provider', async () => {
    const start = fake.requests.length;
    fake.script(() => ({ kind: 'stream', steps: [sse.role(), ...Array.from({ length: 100 }, (_, i) => sse.text(`word${i} `, 50)), sse.finish('stop'), sse.done()] }));
    const c = await connect();
    const { runId } = await c.submit('write a long essay');
    await c.waitFor((f) => f.type === 'agent_message_delta' && 'runId' in f && f.runId === runId);
    c.send({ type: 'cancel', runId });
    const terminal = await c.terminalOf(runId);
    expect(terminal.type).toBe('agent_error');
    expect(terminal.data).toMatchObject({ code: 'cancelled' });

    const request = fake.requests[start]!;
    await request.over;
    expect(request.abortedByClient).toBe(true);
    // Nothing after the terminal event, even though the model had 100 words to send.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = c.runEvents(runId);
    expect(events.at(-1)!.type).toBe('agent_error');
    expect(events.filter((e) => e.type === 'agent_message_delta').length).toBeLessThan(50);
  });

  it('the run timeout aborts a slow model request too', async () => {
    const slow = defineModelAgent({ name: 'slow', model: openAICompatibleModel({ baseUrl: fake.baseUrl, model: 'slow-model' }), maxRetries: 0 });
    const other = await startTestServer({ agents: [slow], defaultAgent: 'slow', engine: { runTimeoutMs: 400 } });
    const start = script([{ kind: 'stream', steps: [sse.role(), ...Array.from({ length: 50 }, (_, i) => sse.text(`w${i} `, 100)), sse.finish('stop'), sse.done()] }]);
    const c = await TestClient.open(other.wsUrl, await signToken('timeout-user'));
    try {
      const { runId } = await c.submit('take your time');
      const terminal = await c.terminalOf(runId);
      expect(terminal.data).toMatchObject({ code: 'timeout' });
      await fake.requests[start]!.over;
      expect(fake.requests[start]!.abortedByClient).toBe(true);
    } finally {
      await c.close();
      await other.close();
    }
  });

  it('an HTTP error from the provider becomes agent_error provider_error', async () => {
    const { events } = await run([{ kind: 'http-error', status: 500, message: 'the model is on fire' }]);
    expect(types(events)).toEqual(['agent_started', 'agent_error']);
    expect(events[1]!.data).toMatchObject({ code: 'provider_error', message: expect.stringContaining('the model is on fire') as unknown });
  });

  it('a 429 after the retries becomes rate_limited, and 401 provider_auth', async () => {
    const start = fake.requests.length;
    const limited = await run([{ kind: 'http-error', status: 429, message: 'slow down' }, { kind: 'http-error', status: 429, message: 'slow down' }], 'hi', 'model-retry');
    expect(fake.requests.length - start).toBe(2);
    expect(limited.events.at(-1)!.data).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('after 2 attempts') as unknown });

    const denied = await run([{ kind: 'http-error', status: 401, message: 'bad key' }]);
    expect(denied.events.at(-1)!.data).toMatchObject({ code: 'provider_auth' });
  });

  it('an error in the middle of the stream ends the run with provider_error after what was streamed', async () => {
    const { events } = await run([{ kind: 'stream', steps: [sse.role(), sse.text('Half an ans'), sse.error('upstream overloaded'), sse.done()] }]);
    expect(types(events)).toEqual(['agent_started', 'agent_message_delta', 'agent_error']);
    expect(events[2]!.data).toMatchObject({ code: 'provider_error', message: expect.stringContaining('upstream overloaded') as unknown });
  });

  it('a provider that cannot be reached becomes provider_unreachable', async () => {
    const closed = await FakeOpenAI.start(() => answer(['never']));
    const baseUrl = closed.baseUrl;
    await closed.close();
    const unreachable = defineModelAgent({ name: 'unreachable', model: openAICompatibleModel({ baseUrl, model: 'm' }), maxRetries: 0 });
    const other = await startTestServer({ agents: [unreachable], defaultAgent: 'unreachable' });
    const c = await TestClient.open(other.wsUrl, await signToken('unreachable-user'));
    try {
      const { runId } = await c.submit('hello?');
      const terminal = await c.terminalOf(runId);
      expect(terminal.type).toBe('agent_error');
      expect(terminal.data).toMatchObject({ code: 'provider_unreachable' });
    } finally {
      await c.close();
      await other.close();
    }
  });
});
