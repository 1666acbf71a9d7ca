/**
 * AgentInstanceFactory: the agent registry, and the only place an agent run is assembled. Each
 * run gets a fresh AgentContext, its own ToolDispatcher and its own emitter: no object is
 * shared between two runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { UserWebSocketEmitter } from '../bridge/agent-websocket-bridge.js';
import { ToolDispatcher } from './tool-dispatcher.js';
import type { TraceSpan } from '../tracing/span.js';
import type { AgentContext, AgentDefinition, AgentInput, ToolDefinition } from './define-agent.js';

export interface AgentInstance {
  readonly definition: AgentDefinition;
  readonly context: AgentContext;
  run(input: AgentInput): Promise<unknown>;
}

export interface AgentInstanceFactoryOptions {
  agents?: readonly AgentDefinition[];
  tools?: readonly ToolDefinition[];
  toolTimeoutMs?: number;
}

export class AgentInstanceFactory {
  readonly #agents = new Map<string, AgentDefinition>();
  readonly #tools = new Map<string, ToolDefinition>();
  readonly #toolTimeoutMs: number | undefined;

  constructor(options: AgentInstanceFactoryOptions = {}) {
    this.#toolTimeoutMs = options.toolTimeoutMs;
    for (const tool of options.tools ?? []) this.registerTool(tool);
    for (const agent of options.agents ?? []) this.register(agent);
  }

  register(agent: AgentDefinition): void {
    if (this.#agents.has(agent.name)) throw new AgentwireError(InternalErrorCode.CONFIG, `agent "${agent.name}" is already registered`);
    for (const tool of agent.tools ?? []) {
      if (!this.#tools.has(tool)) throw new AgentwireError(InternalErrorCode.CONFIG, `agent "${agent.name}" uses unregistered tool "${tool}"`);
    }
    this.#agents.set(agent.name, agent);
  }

  registerTool(tool: ToolDefinition): void {
    if (this.#tools.has(tool.name)) throw new AgentwireError(InternalErrorCode.CONFIG, `tool "${tool.name}" is already registered`);
    this.#tools.set(tool.name, tool);
  }

  has(name: string): boolean {
    return this.#agents.has(name);
  }

  list(): { name: string; description: string }[] {
    return [...this.#agents.values()].map((a) => ({ name: a.name, description: a.description }));
  }

  /** Assembles one run: the definition, a fresh context bound to the run's emitter and signal. */
  create(name: string, emitter: UserWebSocketEmitter, signal: AbortSignal, onHeartbeat: () => void, span?: TraceSpan): AgentInstance {
    const definition = this.#agents.get(name);
    if (!definition) throw new AgentwireError(InternalErrorCode.CONFIG, `unknown agent "${name}"`);
    const allowed = definition.tools ? new Map(definition.tools.map((t) => [t, this.#tools.get(t) as ToolDefinition])) : new Map(this.#tools);
    const tools = new ToolDispatcher({
      tools: allowed,
      emitter,
      signal,
      span,
      ...(this.#toolTimeoutMs === undefined ? {} : { defaultTimeoutMs: this.#toolTimeoutMs }),
    });
    const context = createAgentContext(emitter, signal, tools, onHeartbeat, span);
    return { definition, context, run: (input) => definition.run(input, context) };
  }
}

function createAgentContext(emitter: UserWebSocketEmitter, signal: AbortSignal, tools: ToolDispatcher, onHeartbeat: () => void, span: TraceSpan | undefined): AgentContext {
  const { userId, threadId, runId } = emitter.context;
  const done = (): void => undefined;
  return Object.freeze({
    userId,
    threadId,
    runId,
    signal,
    tools,
    trace: span,
    thinking: (reasoning, options) => emitter.emit('agent_thinking', { reasoning, ...options }).then(done),
    progress: (message, progress) => emitter.emit('progress_update', { message, ...(progress === undefined ? {} : { progress }) }).then(done),
    say: (delta) => emitter.emit('agent_message_delta', { delta }).then(done),
    heartbeat: onHeartbeat,
    sleep: (ms) => sleep(ms, undefined, { signal }),
    emit: (type, data, routing) => emitter.emit(type, data, routing).then(done),
  } satisfies AgentContext);
}
