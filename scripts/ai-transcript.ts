/**
 * node --conditions=agentwire-source --import tsx scripts/ai-transcript.ts
 *
 * Prints two transcripts that docs/integrations.md quotes, from the real thing, offline: a model
 * agent run (the AI SDK and its openai-compatible provider against the scripted test model server)
 * as the user's WebSocket received it, and the same kind of run through POST /api/ag-ui as
 * @ag-ui/client's HttpAgent received it.
 */
import { HttpAgent } from '@ag-ui/client';
import { calculatorTool, silentLogger, startServer } from 'agentwire/server';
import { defineModelAgent, openAICompatibleModel } from 'agentwire/ai';
import { signToken, TEST_SECRET } from '../test/helpers/tokens.js';
import { TestClient } from '../test/helpers/ws-client.js';
import { FakeOpenAI, answer, sse } from '../test/ai/fake-openai.js';

const fake = await FakeOpenAI.start((_body, index) =>
  index % 2 === 0
    ? {
        kind: 'stream',
        steps: [
          sse.role(),
          sse.reasoning('The user wants the product '),
          sse.reasoning('of two numbers.'),
          sse.reasoning(' I will use the calculator.'),
          sse.text('Let me calculate. '),
          ...sse.toolCall(0, `call_${index}`, 'calculator', '{"expression": "17 * 23"}'),
          sse.finish('tool_calls'),
          sse.usage(40, 12, 5),
          sse.done(),
        ],
      }
    : answer(['17 * 23 = ', '391'], { usage: [70, 8] }),
);
const model = defineModelAgent({ name: 'model', model: openAICompatibleModel({ baseUrl: fake.baseUrl, model: 'fake-model' }), tools: [calculatorTool] });
const server = await startServer({ port: 0, host: '127.0.0.1', auth: { jwtSecret: TEST_SECRET }, logger: silentLogger, agents: [model], defaultAgent: 'model' });
const token = await signToken('transcript-user');
const ws = await TestClient.open(server.wsUrl, token);

try {
  const { runId } = await ws.submit('What is 17 * 23?');
  await ws.terminalOf(runId);
  process.stdout.write('# A model agent run, as the WebSocket client received it\n\n');
  for (const event of ws.runEvents(runId)) {
    process.stdout.write(`seq ${String(event.seq).padEnd(3)} ${event.type.padEnd(20)} ${abbreviate(JSON.stringify(event.data))}\n`);
  }

  const agent = new HttpAgent({
    url: `${server.url}/api/ag-ui`,
    headers: { Authorization: `Bearer ${token}` },
    threadId: 'my-app-thread-1',
    initialMessages: [{ id: 'user-1', role: 'user', content: 'What is 17 * 23?' }],
  });
  const received: string[] = [];
  await agent.runAgent(
    { runId: 'my-app-run-1' },
    {
      onEvent: ({ event }) => {
        const { type, timestamp: _t, ...rest } = event;
        received.push(`${type.padEnd(26)} ${abbreviate(JSON.stringify(rest))}`);
      },
    },
  );
  process.stdout.write('\n# An AG-UI run, as @ag-ui/client HttpAgent received (and verified) it\n\n');
  for (const line of received) process.stdout.write(`${line}\n`);
} finally {
  await ws.close();
  await server.close();
  await fake.close();
}

function abbreviate(text: string, max = 110): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
