/**
 * The CLI's model switch: AGENTWIRE_MODEL_BASE_URL + AGENTWIRE_MODEL make a `model` agent the
 * default (through the real CLI, in a child process, against the scripted model server), and
 * GET /api/info says which agent answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelConfig } from 'agentwire/ai';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';
import { FakeOpenAI, answer } from './fake-openai.js';

describe('loadModelConfig', () => {
  it('is off without the variables, and says which one is missing when only one is set', () => {
    expect(loadModelConfig({})).toBeUndefined();
    expect(loadModelConfig({ AGENTWIRE_MODEL_BASE_URL: ' ', AGENTWIRE_MODEL: '' })).toBeUndefined();
    expect(() => loadModelConfig({ AGENTWIRE_MODEL: 'gpt-4o-mini' })).toThrow(/AGENTWIRE_MODEL_BASE_URL is required/);
    expect(() => loadModelConfig({ AGENTWIRE_MODEL_BASE_URL: 'http://localhost:11434/v1' })).toThrow(/AGENTWIRE_MODEL is required/);
    expect(() => loadModelConfig({ AGENTWIRE_MODEL_BASE_URL: 'localhost:11434', AGENTWIRE_MODEL: 'm' })).toThrow(/must be an http\(s\) URL/);
    expect(loadModelConfig({ AGENTWIRE_MODEL_BASE_URL: 'https://api.openai.com/v1', AGENTWIRE_MODEL: 'gpt-4o-mini', AGENTWIRE_MODEL_API_KEY: 'sk-x' })).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      apiKey: 'sk-x',
    });
  });
});

describe('agentwire serve with and without a model', () => {
  let fake: FakeOpenAI;
  let withModel: ChildServer;
  let without: ChildServer;

  beforeAll(async () => {
    fake = await FakeOpenAI.start(() => answer(['Hello from ', 'the model.'], { usage: [20, 4] }));
    [withModel, without] = await Promise.all([
      spawnServer({ AGENTWIRE_STORE: 'memory', AGENTWIRE_MODEL_BASE_URL: fake.baseUrl, AGENTWIRE_MODEL: 'fake-model', AGENTWIRE_MODEL_API_KEY: 'sk-cli' }),
      spawnServer({ AGENTWIRE_STORE: 'memory', AGENTWIRE_MODEL_BASE_URL: '', AGENTWIRE_MODEL: '' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([withModel.kill('SIGTERM'), without.kill('SIGTERM')]);
    await fake.close();
  });

  it('GET /api/info names the model, never the key', async () => {
    const info = (await (await fetch(`${withModel.url}/api/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ defaultAgent: 'model', model: { agent: 'model', name: 'fake-model', host: new URL(fake.baseUrl).host } });
    expect(JSON.stringify(info)).not.toContain('sk-cli');
    expect((info.agents as { name: string }[]).map((a) => a.name)).toEqual(expect.arrayContaining(['assistant', 'model']));

    const plain = (await (await fetch(`${without.url}/api/info`)).json()) as Record<string, unknown>;
    expect(plain).toMatchObject({ defaultAgent: 'assistant', model: null });
  });

  it('a message without an agent name is answered by the model', async () => {
    const client = await TestClient.open(withModel.wsUrl, await signToken('cli-model-user'));
    try {
      const { runId } = await client.submit('hello');
      const terminal = await client.terminalOf(runId);
      expect(terminal).toMatchObject({ type: 'agent_completed', agentName: 'model', data: { result: { text: 'Hello from the model.' } } });
      expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-cli');
    } finally {
      await client.close();
    }
  });
});
