import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assistantAgent, builtinTools, calculatorTool, chunkText, clockTool, createDocsSearchTool, planFor } from 'agentwire/server';
import type { ToolDefinition } from 'agentwire';
import { createFakeContext, type FakeContext } from './fake-context.js';

interface AssistantResult {
  answer: string;
  toolsUsed: string[];
}

let docsDir: string;
let tools: readonly ToolDefinition[];

beforeAll(async () => {
  docsDir = await mkdtemp(join(tmpdir(), 'agentwire-assistant-docs-'));
  await writeFile(
    join(docsDir, 'protocol.md'),
    '# Protocol\n\n## Resume\n\nA client that reconnects sends resume with lastSeq and epoch; the server replays the missed events in order.\n',
  );
  // The real calculator and clock; the docs search pointed at a directory this test controls.
  tools = [calculatorTool, clockTool, createDocsSearchTool({ roots: [docsDir] })];
});

afterAll(async () => {
  await rm(docsDir, { recursive: true, force: true });
});

async function ask(text: string, fake: FakeContext = createFakeContext({ tools })): Promise<{ result: AssistantResult; fake: FakeContext }> {
  const result = (await assistantAgent.run(fake.input(text), fake.ctx)) as AssistantResult;
  return { result, fake };
}

describe('assistant agent', () => {
  it('answers "What is 17 * 23?" with 391, using the calculator', async () => {
    const { result, fake } = await ask('What is 17 * 23?');
    expect(result.answer).toContain('391');
    expect(result.answer).toBe('17 * 23 = 391.');
    expect(result.toolsUsed).toEqual(['calculator']);
    expect(fake.toolCalls()).toEqual([{ toolName: 'calculator', args: { expression: '17 * 23' } }]);
  });

  it.each([
    ['compute (2+3)^2', '(2+3)^2 = 25.'],
    ['sqrt(144) + 1', 'sqrt(144) + 1 = 13.'],
    ['what is 3 times 4?', '3 * 4 = 12.'],
    ['What is 0.1 + 0.2?', '0.1 + 0.2 = 0.3.'],
  ])('calculates %j', async (question, answer) => {
    const { result } = await ask(question);
    expect(result.answer).toBe(answer);
    expect(result.toolsUsed).toEqual(['calculator']);
  });

  it('streams the answer in word groups that concatenate to exactly the returned answer', async () => {
    const { result, fake } = await ask('hello');
    const deltas = fake.deltas();
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(result.answer);
    for (const delta of deltas) expect(delta.length).toBeLessThanOrEqual(40);
    for (const delta of deltas.slice(0, -1)) expect(delta.length).toBeGreaterThanOrEqual(20);
  });

  it('plans in numbered steps with progress rising from 0 to 1, then speaks', async () => {
    const { fake } = await ask('what is 2+2 and what time is it in London');
    const thinking = fake.events.filter((e) => e.type === 'agent_thinking').map((e) => e.data);
    expect(thinking.map((t) => t.step)).toEqual([1, 2, 3, 4, 5]);
    const progress = thinking.map((t) => t.progress as number);
    expect(progress.every((p, i) => p >= 0 && p <= 1 && (i === 0 || p >= progress[i - 1]!))).toBe(true);
    expect(thinking[1]!.reasoning).toBe('Plan: calculating 2+2; reading the clock for London; then write the answer.');
    const types = fake.events.map((e) => e.type);
    expect(types.indexOf('agent_message_delta')).toBeGreaterThan(types.lastIndexOf('tool_completed'));
  });

  it('calls several tools for one message', async () => {
    const { result, fake } = await ask('what is 2+2 and what time is it in London');
    expect(result.toolsUsed).toEqual(['calculator', 'clock']);
    expect(fake.toolCalls()).toEqual([
      { toolName: 'calculator', args: { expression: '2+2' } },
      { toolName: 'clock', args: { timeZone: 'Europe/London' } },
    ]);
    expect(result.answer).toContain('2+2 = 4.');
    expect(result.answer).toMatch(/In London \(Europe\/London\) it is \w+day, /);
  });

  it.each([
    ["what's the date in Tokyo", ['Asia/Tokyo']],
    ['What time is it?', ['UTC']],
    ['what time is it in New York and Sydney?', ['America/New_York', 'Australia/Sydney']],
    ['Current time in Los Angeles, Paris and Berlin please', ['America/Los_Angeles', 'Europe/Paris', 'Europe/Berlin']],
  ])('reads the clock for %j', async (question, zones) => {
    const { result, fake } = await ask(question);
    expect(result.toolsUsed).toEqual(['clock']);
    expect(fake.toolCalls().map((c) => (c.args as { timeZone: string }).timeZone)).toEqual(zones);
  });

  it('searches the documentation for questions about agentwire', async () => {
    const { result, fake } = await ask('How does resume work?');
    expect(result.toolsUsed).toEqual(['search_docs']);
    expect(fake.toolCalls()[0]!.args).toEqual({ query: 'How does resume work?', limit: 3 });
    expect(result.answer).toContain("Here is what agentwire's documentation says:");
    expect(result.answer).toContain('Resume');
    expect(result.answer).toContain('sends resume with lastSeq and epoch');
  });

  it('explains what it can do when greeted, without calling tools', async () => {
    const { result, fake } = await ask('Hi there');
    expect(result.toolsUsed).toEqual([]);
    expect(fake.toolCalls()).toEqual([]);
    expect(result.answer).toMatch(/^Hi! /);
    expect(result.answer).toContain('arithmetic');
    expect(result.answer).toContain('time');
    expect(result.answer).toContain('documentation');
  });

  it('says plainly what it can do for anything off-script, calling no tool', async () => {
    const { result, fake } = await ask('Can you recommend a good book about Rome?');
    expect(fake.toolCalls()).toEqual([]);
    expect(result.answer).toMatch(/^That's not something I can help with\.\n\nI'm agentwire's demo assistant\. I can do arithmetic/);
  });

  it('says what it can do when a docs search finds nothing', async () => {
    const { result } = await ask('Tell me about the metrics of Mars');
    expect(result.toolsUsed).toEqual(['search_docs']);
    expect(result.answer).toContain('found nothing on that');
    expect(result.answer).toContain('I can do arithmetic');
  });

  it('answers the part of a compound request it can and names the part it skipped', async () => {
    const { result, fake } = await ask('compute (2+3)*4 and then tell me a joke');
    expect(fake.toolCalls()).toEqual([{ toolName: 'calculator', args: { expression: '(2+3)*4' } }]);
    expect(result.answer).toBe('(2+3)*4 = 20.\n\nI skipped "tell me a joke": that\'s outside what I can do (arithmetic, the time, agentwire\'s documentation).');
  });

  it('never leaks a validation error for a 5,000-character message', async () => {
    const long = `How does resume work? ${'Please explain every detail of the protocol events. '.repeat(100)}`.slice(0, 5000);
    const { result, fake } = await ask(long);
    const query = (fake.toolCalls()[0]?.args as { query: string }).query;
    expect(query.length).toBeLessThanOrEqual(200);
    expect(fake.events.filter((e) => e.type === 'tool_completed').map((e) => e.data.status)).toEqual(['success']);
    expect(result.answer).not.toMatch(/invalid arguments|Too big|expected string/);
  });

  it('quotes documentation as prose: no table bars, box drawings or stray backticks', async () => {
    const table = '| type | data |\n|---|---|\n| `agent_started` | input summary |\n\n```\nclient ──ws──▶ server\n```\n';
    const dir = await mkdtemp(join(tmpdir(), 'agentwire-assistant-table-'));
    try {
      await writeFile(join(dir, 'events.md'), `# Events\n\n## Event types\n\n${table}`);
      const fake = createFakeContext({ tools: [calculatorTool, clockTool, createDocsSearchTool({ roots: [dir] })] });
      const { result } = await ask('Which events does agentwire send?', fake);
      expect(result.answer).toContain('agent_started');
      expect(result.answer).not.toMatch(/[|`\u2500-\u257f\u25b6]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains a calculator error instead of failing', async () => {
    const { result, fake } = await ask('What is 1/0?');
    expect(result.answer).toBe('I couldn\'t calculate "1/0": Division by zero at position 2.');
    const completed = fake.events.find((e) => e.type === 'tool_completed');
    expect(completed?.data.status).toBe('error');
  });

  it('explains a clock error for an unknown zone', async () => {
    const { result } = await ask('What time is it in Mars/Olympus_Mons?');
    expect(result.answer).toContain("I couldn't read the clock for Mars/Olympus_Mons: Unknown time zone");
  });

  it('explains a tool that is not available', async () => {
    const fake = createFakeContext({ tools: [calculatorTool] });
    const { result } = await ask('what time is it in Paris', fake);
    expect(result.answer).toBe('I couldn\'t read the clock for Paris: unknown tool "clock".');
  });

  it('stops promptly when the run is aborted mid-answer', async () => {
    const fake = createFakeContext({
      tools,
      onSay: (count, controller) => {
        if (count === 2) controller.abort(new Error('cancelled by test'));
      },
    });
    const started = performance.now();
    await expect(assistantAgent.run(fake.input('hello'), fake.ctx)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(fake.deltas()).toHaveLength(2);
  });

  it('calls no tool when aborted before it starts', async () => {
    const fake = createFakeContext({ tools });
    fake.controller.abort(new Error('cancelled by test'));
    await expect(assistantAgent.run(fake.input('What is 17 * 23?'), fake.ctx)).rejects.toThrow('cancelled by test');
    expect(fake.toolCalls()).toEqual([]);
    expect(fake.deltas()).toEqual([]);
  });

  it('declares exactly the built-in tools', () => {
    expect(assistantAgent.name).toBe('assistant');
    expect(assistantAgent.tools).toEqual(['calculator', 'clock', 'search_docs']);
    expect(builtinTools.map((t) => t.name)).toEqual(['calculator', 'clock', 'search_docs']);
  });
});

describe('assistant planning', () => {
  it.each([
    ['What is 17 * 23?', ['17 * 23']],
    ['What is 15% of 80?', ['(15 / 100) * 80']],
    ['what is 10 divided by 4 and 2 to the power of 10', ['10 / 4', '2 ^ 10']],
    ['use e^2 please', ['e^2']],
    ['(see sqrt(2))', ['sqrt(2)']],
    ['I have 3 apples', []],
    ['Release 2024-05-01 notes', []],
    ['what is agent-1 doing', []],
    ['seq 1, 2, 3', []],
  ])('finds the arithmetic in %j', (message, calculations) => {
    expect(planFor(message).calculations).toEqual(calculations);
  });

  it('does not send an arithmetic "how do I" question to the docs', () => {
    expect(planFor('how do I compute 2+2').docsQuery).toBeUndefined();
    expect(planFor('how do I configure the JWT secret?').docsQuery).toBe('how do I configure the JWT secret?');
  });
});

describe('chunkText', () => {
  it('keeps every character, in order, in chunks of at most 40', () => {
    const text = `Some words ${'x'.repeat(95)} and a few   more  spaces\n\nand lines.`;
    const chunks = chunkText(text);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(40);
    expect(chunkText('')).toEqual([]);
    expect(chunkText('   ')).toEqual(['   ']);
  });
});
