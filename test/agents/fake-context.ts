/**
 * A recording AgentContext for unit tests of agent logic. Tool calls run the real tool
 * definitions (arguments validated by their schemas, throws turned into "error" outcomes, as the
 * real ToolDispatcher does); everything the agent emits is recorded in order. The end-to-end
 * path through the server is tested elsewhere.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentContext, AgentInput, ToolDefinition, ToolOutcome } from 'agentwire';

export interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface FakeContext {
  ctx: AgentContext;
  controller: AbortController;
  events: RecordedEvent[];
  heartbeats: () => number;
  deltas: () => string[];
  toolCalls: () => { toolName: string; args: unknown }[];
  input: (text: string) => AgentInput;
}

export interface FakeContextOptions {
  tools?: readonly ToolDefinition[];
  /** Called after each recorded delta with how many there are so far (e.g. to abort mid-stream). */
  onSay?: (count: number, controller: AbortController) => void;
}

async function callTool(tool: ToolDefinition | undefined, name: string, args: unknown, signal: AbortSignal): Promise<ToolOutcome> {
  const started = performance.now();
  const durationMs = (): number => performance.now() - started;
  if (!tool) return { status: 'error', error: `unknown tool "${name}"`, durationMs: durationMs() };
  const parsed = tool.parameters.safeParse(args);
  if (!parsed.success) return { status: 'error', error: `invalid arguments: ${parsed.error.message}`, durationMs: durationMs() };
  try {
    const result = await tool.execute(parsed.data, { signal, userId: 'user-1', runId: 'run-1' });
    return { status: 'success', result, durationMs: durationMs() };
  } catch (error) {
    return { status: 'error', error: error instanceof Error ? error.message : String(error), durationMs: durationMs() };
  }
}

export function createFakeContext(options: FakeContextOptions = {}): FakeContext {
  const controller = new AbortController();
  const { signal } = controller;
  const events: RecordedEvent[] = [];
  const tools = new Map((options.tools ?? []).map((t) => [t.name, t]));
  let heartbeats = 0;
  let said = 0;
  const record = (type: string, data: Record<string, unknown>): Promise<void> => {
    events.push({ type, data });
    return Promise.resolve();
  };
  const ctx: AgentContext = {
    userId: 'user-1',
    threadId: 'thread-1',
    runId: 'run-1',
    signal,
    thinking: (reasoning, opts) => record('agent_thinking', { reasoning, ...opts }),
    progress: (message, progress) => record('progress_update', { message, progress }),
    say: async (delta) => {
      await record('agent_message_delta', { delta });
      said += 1;
      options.onSay?.(said, controller);
    },
    tools: {
      // Like the real dispatcher: throws only when the run itself has ended.
      async call<R>(name: string, args: unknown): Promise<ToolOutcome<R>> {
        signal.throwIfAborted();
        await record('tool_executing', { toolName: name, args });
        const outcome = await callTool(tools.get(name), name, args, signal);
        await record('tool_completed', { toolName: name, ...outcome });
        return outcome as ToolOutcome<R>;
      },
      list: () => [...tools.values()].map((t) => ({ name: t.name, description: t.description })),
    },
    heartbeat: () => {
      heartbeats += 1;
    },
    sleep: (ms) => sleep(ms, undefined, { signal }),
    emit: (type, data) => record(type, data as unknown as Record<string, unknown>),
  };
  return {
    ctx,
    controller,
    events,
    heartbeats: () => heartbeats,
    deltas: () => events.filter((e) => e.type === 'agent_message_delta').map((e) => e.data.delta as string),
    toolCalls: () => events.filter((e) => e.type === 'tool_executing').map((e) => ({ toolName: e.data.toolName as string, args: e.data.args })),
    input: (text) => ({ text, threadId: 'thread-1', runId: 'run-1', history: () => Promise.resolve([]) }),
  };
}
