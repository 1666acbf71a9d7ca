/**
 * The agent and tool authoring API. An agent is a plain definition; the engine makes a fresh
 * AgentContext for every run, so nothing a run does can leak into another.
 */
import type { z } from 'zod';
import type { AgentEventDataMap, AgentEventType, TerminalEventType } from '../protocol/events.js';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { ThreadTurn } from './thread-history.js';
import type { TraceSpan } from '../tracing/span.js';

export type { ThreadTurn } from './thread-history.js';

export interface AgentInput {
  /** The user's message. */
  text: string;
  threadId: string;
  runId: string;
  /**
   * The thread's earlier turns (user messages and the agent's streamed answers), oldest first,
   * read from the store on demand: a model agent passes them as its conversation.
   */
  history(): Promise<ThreadTurn[]>;
  /** When the run's timeout ends it (epoch ms): a remote worker is told, so it can stop in time. */
  deadline?: number;
}

export type NonTerminalEventType = Exclude<AgentEventType, TerminalEventType>;

export type ToolOutcome<R = unknown> =
  | { status: 'success'; result: R; durationMs: number }
  | { status: 'error' | 'timeout'; error: string; durationMs: number };

export interface ToolCaller {
  /**
   * Calls a tool. tool_executing and tool_completed are emitted around it; a failing or
   * timed-out tool comes back as an outcome with status "error" / "timeout", never a throw,
   * so the agent decides what to do. Throws only when the run itself has ended.
   */
  call<R = unknown>(name: string, args: unknown): Promise<ToolOutcome<R>>;
  /** Tools this agent may call. */
  list(): readonly { name: string; description: string }[];
}

/** What an agent gets for one run. A new one is made for every run. */
export interface AgentContext {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
  /** Aborted on cancel, timeout, heartbeat loss or shutdown. Pass it to everything that waits. */
  readonly signal: AbortSignal;
  thinking(reasoning: string, options?: { step?: number; progress?: number }): Promise<void>;
  progress(message: string, progress?: number): Promise<void>;
  /** Streams a piece of the answer (agent_message_delta). */
  say(delta: string): Promise<void>;
  readonly tools: ToolCaller;
  /**
   * The run's span when tracing is on (undefined when off): model calls hang their spans below
   * it, and a remote agent sends its `traceparent` to the worker.
   */
  readonly trace?: TraceSpan | undefined;
  /** Tells the engine the run is alive during long silent work. */
  heartbeat(): void;
  /** Waits, or rejects as soon as the run is aborted. */
  sleep(ms: number): Promise<void>;
  /** Low-level: emits any non-terminal event; routing fields, if given, must be this run's. */
  emit<T extends NonTerminalEventType>(type: T, data: AgentEventDataMap[T], routing?: { userId?: string; threadId?: string; runId?: string }): Promise<void>;
}

const ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Thrown by an agent to end its run with agent_error carrying `code` (instead of the generic
 * `agent_exception`): a model provider that failed, a quota, anything the client should be able
 * to tell apart. Codes are short snake_case strings; the built-in ones are in AgentErrorCode.
 */
export class AgentRunError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    if (!ERROR_CODE.test(code)) throw new AgentwireError(InternalErrorCode.CONFIG, `agent error code "${code}" must match ${ERROR_CODE.source}`);
    this.name = 'AgentRunError';
    this.code = code;
  }
}

/**
 * Thrown by an agent to end its run with agent_death carrying `cause`: the agent's executor is
 * gone (a remote worker whose response was cut), which the client should tell apart from an
 * agent that reported a failure.
 */
export class AgentDeathError extends Error {
  readonly deathCause: string;

  constructor(cause: string, message: string) {
    super(message);
    if (!ERROR_CODE.test(cause)) throw new AgentwireError(InternalErrorCode.CONFIG, `agent death cause "${cause}" must match ${ERROR_CODE.source}`);
    this.name = 'AgentDeathError';
    this.deathCause = cause;
  }
}

export interface AgentDefinition {
  readonly name: string;
  readonly description: string;
  /** Names of the tools the agent may call; all registered tools when omitted. */
  readonly tools?: readonly string[];
  /** The return value becomes agent_completed's `result`. A throw becomes agent_error. */
  run(input: AgentInput, ctx: AgentContext): Promise<unknown>;
}

export interface ToolExecutionContext {
  readonly signal: AbortSignal;
  readonly userId: string;
  readonly runId: string;
}

export interface ToolDefinition<A = unknown, R = unknown> {
  readonly name: string;
  readonly description: string;
  /** Validates the arguments before execute() sees them. */
  readonly parameters: z.ZodType<A>;
  /** Overrides the dispatcher's default tool timeout. */
  readonly timeoutMs?: number;
  execute(args: A, ctx: ToolExecutionContext): Promise<R> | R;
}

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export function defineAgent(definition: AgentDefinition): AgentDefinition {
  if (!NAME.test(definition.name)) {
    throw new AgentwireError(InternalErrorCode.CONFIG, `agent name "${definition.name}" must match ${NAME.source}`);
  }
  return Object.freeze({ ...definition, ...(definition.tools ? { tools: Object.freeze([...definition.tools]) } : {}) });
}

export function defineTool<A, R>(definition: ToolDefinition<A, R>): ToolDefinition<A, R> {
  if (!NAME.test(definition.name)) {
    throw new AgentwireError(InternalErrorCode.CONFIG, `tool name "${definition.name}" must match ${NAME.source}`);
  }
  return Object.freeze({ ...definition });
}
