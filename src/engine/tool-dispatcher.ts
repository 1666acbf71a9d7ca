/**
 * ToolDispatcher: runs one tool call for one run, with tool_executing / tool_completed around
 * it, a timeout, and errors turned into outcomes. A tool never crashes the run or the server.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../errors/agentwire-error.js';
import type { UserWebSocketEmitter } from '../bridge/agent-websocket-bridge.js';
import type { ToolCaller, ToolDefinition, ToolOutcome } from './define-agent.js';
import { startToolSpan } from '../tracing/run-tracer.js';
import type { TraceSpan } from '../tracing/span.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

type UntimedOutcome = { status: 'success'; result: unknown } | { status: 'error' | 'timeout'; error: string };

export class ToolDispatcher implements ToolCaller {
  readonly #tools: ReadonlyMap<string, ToolDefinition>;
  readonly #emitter: UserWebSocketEmitter;
  readonly #signal: AbortSignal;
  readonly #defaultTimeoutMs: number;
  readonly #span: TraceSpan | undefined;

  constructor(options: {
    tools: ReadonlyMap<string, ToolDefinition>;
    emitter: UserWebSocketEmitter;
    signal: AbortSignal;
    /** The run's span (tracing on): each call becomes an execute_tool span below it. */
    span?: TraceSpan | undefined;
    defaultTimeoutMs?: number;
  }) {
    this.#span = options.span;
    this.#tools = options.tools;
    this.#emitter = options.emitter;
    this.#signal = options.signal;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  }

  list(): readonly { name: string; description: string }[] {
    return [...this.#tools.values()].map((t) => ({ name: t.name, description: t.description }));
  }

  async call<R = unknown>(name: string, args: unknown): Promise<ToolOutcome<R>> {
    const toolCallId = `call_${randomBytes(9).toString('base64url')}`;
    await this.#emitter.emit('tool_executing', { toolName: name, toolCallId, args: args ?? null });
    const started = performance.now();
    const span = this.#span && startToolSpan(this.#span, name, toolCallId);
    const outcome = await this.#execute(name, args);
    if (span) endToolSpan(span, outcome);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const finished = { ...outcome, durationMs } as ToolOutcome<R>;
    await this.#emitter.emit('tool_completed', {
      toolName: name,
      toolCallId,
      status: finished.status,
      durationMs,
      ...(finished.status === 'success' ? { result: finished.result ?? null } : { error: finished.error }),
    });
    return finished;
  }

  async #execute(name: string, args: unknown): Promise<UntimedOutcome> {
    const tool = this.#tools.get(name);
    if (!tool) return { status: 'error', error: `unknown tool "${name}"` };
    const parsed = tool.parameters.safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { status: 'error', error: `invalid arguments: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() };
    }
    const timeoutMs = tool.timeoutMs ?? this.#defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([this.#signal, timeout]);
    const ctx = this.#emitter.context;
    try {
      const result = await raceAbort(Promise.resolve(tool.execute(parsed.data, { signal, userId: ctx.userId, runId: ctx.runId })), signal);
      return { status: 'success', result };
    } catch (error) {
      if (timeout.aborted && !this.#signal.aborted) return { status: 'timeout', error: `tool "${name}" did not finish within ${timeoutMs} ms` };
      return { status: 'error', error: errorMessage(error) };
    }
  }
}

function endToolSpan(span: TraceSpan, outcome: UntimedOutcome): void {
  if (outcome.status !== 'success') span.fail(outcome.status === 'timeout' ? 'timeout' : 'tool_error', outcome.error);
  span.end();
}

/** Settles with the work, or rejects when the signal aborts first (a tool that ignores its signal). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(errorMessage(error)));
      },
    );
  });
}
