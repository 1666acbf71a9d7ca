/**
 * defineRemoteAgent: an agent that runs in another process, in any language, reached over HTTP.
 * For each run agentwire POSTs a run request to the worker and reads the response as a stream of
 * events, in agentwire's own format (NDJSON or SSE) or as AG-UI events (SSE), chosen by the
 * response's content type. Everything the worker sends goes through this run's emitter, so seq,
 * isolation, the single terminal event and death detection hold exactly as for an in-process agent.
 *
 * How a run ends (docs/remote-agents.md lists the codes):
 * - the worker's agent_completed / agent_error (RUN_FINISHED / RUN_ERROR in AG-UI);
 * - the response ends or breaks before that: agent_death "worker_lost";
 * - the worker says nothing (no event, no keep-alive) for the engine's heartbeat timeout:
 *   agent_death "no_heartbeat" (every line received counts as a heartbeat);
 * - HTTP error status, refused connection, bad event: agent_error worker_http_error,
 *   worker_unreachable, worker_protocol_error, worker_event_too_large;
 * - cancel, timeout, shutdown: the engine's terminal event, and the request is aborted.
 */
import { AgentDeathError, AgentRunError, defineAgent, type AgentContext, type AgentDefinition, type AgentInput } from '../engine/define-agent.js';
import { AgentwireError, InternalErrorCode, errorMessage } from '../errors/agentwire-error.js';
import { AgentErrorCode, DeathCause } from '../protocol/codes.js';
import { readLines, streamChunks } from './line-reader.js';
import { readWorkerEvents } from './worker-stream.js';
import { buildRunRequest } from './run-request.js';
import { newTraceparent } from './trace-context.js';
import type { WorkerAction } from './worker-action.js';
import { WorkerToolSpans } from './worker-tool-spans.js';

export interface RemoteAgentOptions {
  /** The agent's name, as clients ask for it (`user_message.agent`). */
  name: string;
  description?: string;
  /** Where the worker takes run requests (http or https). */
  url: string;
  /** Sent with every run request, for example the worker's own credential. */
  headers?: Record<string, string>;
  /** How long the worker has to answer with response headers (default 10 s); the run's own deadline is the engine's run timeout. */
  timeoutMs?: number;
  /** Longest line (NDJSON event, SSE line) or SSE event the worker may send (default 1 MiB); past it: worker_event_too_large. */
  maxLineBytes?: number;
  /** Earlier turns of the thread sent with the run request (default 20; 0 sends none). */
  historyTurns?: number;
}

export const DEFAULT_REMOTE_TIMEOUT_MS = 10_000;
export const DEFAULT_REMOTE_MAX_LINE_BYTES = 1024 * 1024;
export const DEFAULT_REMOTE_HISTORY_TURNS = 20;

export function defineRemoteAgent(options: RemoteAgentOptions): AgentDefinition {
  const url = parseWorkerUrl(options.name, options.url);
  const settings = {
    url,
    headers: { ...options.headers },
    timeoutMs: options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_REMOTE_MAX_LINE_BYTES,
    historyTurns: options.historyTurns ?? DEFAULT_REMOTE_HISTORY_TURNS,
  };
  for (const [key, value] of [['timeoutMs', settings.timeoutMs], ['maxLineBytes', settings.maxLineBytes]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new AgentwireError(InternalErrorCode.CONFIG, `remote agent "${options.name}": ${key} must be a positive integer`);
  }
  return defineAgent({
    name: options.name,
    description: options.description ?? `Remote agent at ${url.origin}`,
    tools: [],
    run: (input, ctx) => runRemote(settings, input, ctx),
  });
}

type Settings = { url: URL; headers: Record<string, string>; timeoutMs: number; maxLineBytes: number; historyTurns: number };

async function runRemote(settings: Settings, input: AgentInput, ctx: AgentContext): Promise<unknown> {
  // One controller for the request: the run's signal (cancel, timeout, heartbeat loss) aborts it,
  // and so does this function when it returns, so a worker's connection never outlives its run.
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The run's span is the parent of the worker's work when tracing is on; a fresh trace otherwise.
    const traceparent = ctx.trace?.traceparent ?? newTraceparent();
    const response = await post(settings, await buildRunRequest(input, ctx, settings.historyTurns), traceparent, controller);
    ctx.heartbeat();
    const body = response.body;
    if (!body) throw new AgentDeathError(DeathCause.WORKER_LOST, 'the worker answered without a body');
    const events = readWorkerEvents(response.headers.get('content-type') ?? '', readLines(streamChunks(body), settings.maxLineBytes), settings.maxLineBytes);
    return await follow(events, ctx);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

async function post(settings: Settings, body: string, traceparent: string, controller: AbortController): Promise<Response> {
  const timer = setTimeout(() => controller.abort(new Error(`no response headers within ${settings.timeoutMs} ms`)), settings.timeoutMs);
  let response: Response;
  try {
    response = await fetch(settings.url, {
      method: 'POST',
      headers: { traceparent, ...settings.headers, 'content-type': 'application/json', accept: 'application/x-ndjson, text/event-stream' },
      body,
      signal: controller.signal,
    });
  } catch (error) {
    if (timedOutOrRefused(error, controller)) {
      throw new AgentRunError(AgentErrorCode.WORKER_UNREACHABLE, `the worker at ${settings.url.origin} could not be reached: ${describeFetchError(error, controller)}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 200);
    throw new AgentRunError(AgentErrorCode.WORKER_HTTP_ERROR, `the worker answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
  }
  return response;
}

/** Applies the worker's events until one ends the run. */
export async function follow(events: AsyncIterable<WorkerAction>, ctx: AgentContext): Promise<unknown> {
  const toolSpans = ctx.trace && new WorkerToolSpans(ctx.trace);
  try {
    for await (const action of events) {
      ctx.heartbeat();
      switch (action.kind) {
        case 'keepalive':
          continue;
        case 'completed':
          return action.result;
        case 'error':
          throw new AgentRunError(action.code, action.message);
        case 'emit':
          await emitChecked(ctx, action);
          toolSpans?.observe(action);
      }
    }
  } catch (error) {
    if (ctx.signal.aborted || error instanceof AgentRunError || error instanceof AgentwireError) throw error;
    throw new AgentDeathError(DeathCause.WORKER_LOST, `the worker's response broke off: ${errorMessage(error)}`);
  } finally {
    toolSpans?.endAll();
  }
  throw new AgentDeathError(DeathCause.WORKER_LOST, 'the worker closed its response before the run ended');
}

/** The emitter's own checks (event size) refusing a worker's event are the worker's protocol error. */
async function emitChecked(ctx: AgentContext, action: Extract<WorkerAction, { kind: 'emit' }>): Promise<void> {
  try {
    await ctx.emit(action.type, action.data);
  } catch (error) {
    if (error instanceof AgentwireError && error.code === InternalErrorCode.INVALID_EVENT) {
      throw new AgentRunError(AgentErrorCode.WORKER_PROTOCOL_ERROR, `the worker sent an event the server refused: ${error.message}`);
    }
    throw error;
  }
}

function timedOutOrRefused(error: unknown, controller: AbortController): boolean {
  // An abort by the run (cancel) is not the worker's fault; a fetch failure or our timer is.
  return !(controller.signal.aborted && controller.signal.reason instanceof AgentwireError) && (error instanceof TypeError || controller.signal.aborted);
}

function describeFetchError(error: unknown, controller: AbortController): string {
  if (controller.signal.aborted) return errorMessage(controller.signal.reason);
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : errorMessage(cause ?? error);
}

function parseWorkerUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AgentwireError(InternalErrorCode.CONFIG, `remote agent "${name}": url "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AgentwireError(InternalErrorCode.CONFIG, `remote agent "${name}": url must be http or https`);
  return url;
}
