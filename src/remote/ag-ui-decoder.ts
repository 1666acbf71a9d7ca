/**
 * AG-UI in: one run's AG-UI events (as @ag-ui/client's HttpAgent reads them: SSE, one JSON event
 * per `data:`) become agentwire actions. The reverse of src/ag-ui/ag-ui-translator.ts, so an
 * agentwire server's own /api/ag-ui round-trips:
 *
 *   TEXT_MESSAGE_CONTENT / _CHUNK (delta)      agent_message_delta
 *   REASONING_MESSAGE_CONTENT / _CHUNK         agent_thinking (step = the reasoning message's number)
 *   TOOL_CALL_START, _ARGS…, _END (or _CHUNK)  tool_executing (at END, with the whole arguments)
 *   TOOL_CALL_RESULT                           tool_completed (JSON content parsed; {status, error} as that status)
 *   ACTIVITY_SNAPSHOT "progress", STEP_STARTED progress_update
 *   RUN_FINISHED                               agent_completed {result}; outcome "cancelled" → agent_error cancelled
 *   RUN_ERROR                                  agent_error {code (when well-formed), message}
 *   anything else (state, snapshots, brackets) a sign of life only
 *
 * Every event is checked against @ag-ui/core's own schema first: one that fails is a protocol
 * error, never delivered.
 */
import { EventType, type BaseEvent } from '@ag-ui/core';
import { EventSchemas } from '@ag-ui/core/schemas';
import { AgentErrorCode } from '../protocol/codes.js';
import { protocolError } from './agentwire-decoder.js';
import { WORKER_CODE, type WorkerAction } from './worker-action.js';

interface OpenToolCall {
  name: string;
  args: string;
  /** Set at TOOL_CALL_END, when tool_executing goes out: tool_completed's durationMs counts from it. */
  startedAt?: number;
}

export class AgUiDecoder {
  readonly #tools = new Map<string, OpenToolCall>();
  readonly #reasoning = new Map<string, number>();

  /** Decodes one AG-UI event object. */
  decode(value: unknown): WorkerAction[] {
    const parsed = EventSchemas.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw protocolError(`AG-UI: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim());
    }
    return this.#decode(parsed.data as BaseEvent & Record<string, unknown>);
  }

  #decode(event: BaseEvent & Record<string, unknown>): WorkerAction[] {
    switch (event.type) {
      case EventType.TEXT_MESSAGE_CONTENT:
      case EventType.TEXT_MESSAGE_CHUNK:
        return typeof event.delta === 'string' && event.delta !== '' ? [{ kind: 'emit', type: 'agent_message_delta', data: { delta: event.delta } }] : [keepalive];
      case EventType.REASONING_MESSAGE_CONTENT:
      case EventType.REASONING_MESSAGE_CHUNK:
        return typeof event.delta === 'string' && event.delta !== '' ? [{ kind: 'emit', type: 'agent_thinking', data: { reasoning: event.delta, step: this.#step(event.messageId) } }] : [keepalive];
      case EventType.TOOL_CALL_START:
        this.#tools.set(String(event.toolCallId), { name: String(event.toolCallName), args: '' });
        return [keepalive];
      case EventType.TOOL_CALL_ARGS:
        this.#openCall(event.toolCallId).args += String(event.delta);
        return [keepalive];
      case EventType.TOOL_CALL_CHUNK:
        return this.#chunk(event);
      case EventType.TOOL_CALL_END:
        return [this.#executing(String(event.toolCallId))];
      case EventType.TOOL_CALL_RESULT:
        return [this.#completed(String(event.toolCallId), String(event.content))];
      case EventType.ACTIVITY_SNAPSHOT:
        return [progressOf(event.activityType, event.content)];
      case EventType.STEP_STARTED:
        return [{ kind: 'emit', type: 'progress_update', data: { message: String(event.stepName) } }];
      case EventType.RUN_FINISHED:
        return [finished(event)];
      case EventType.RUN_ERROR:
        return [{ kind: 'error', code: typeof event.code === 'string' && WORKER_CODE.test(event.code) ? event.code : AgentErrorCode.AGENT_EXCEPTION, message: String(event.message) }];
      default:
        return [keepalive];
    }
  }

  /** AG-UI reasoning messages are numbered in order of appearance, as agentwire thinking steps. */
  #step(messageId: unknown): number {
    const key = typeof messageId === 'string' ? messageId : '';
    let step = this.#reasoning.get(key);
    if (step === undefined) {
      step = this.#reasoning.size;
      this.#reasoning.set(key, step);
    }
    return step;
  }

  #openCall(toolCallId: unknown): OpenToolCall {
    const call = this.#tools.get(String(toolCallId));
    if (!call) throw protocolError(`AG-UI: tool call "${String(toolCallId).slice(0, 40)}" was not started`);
    return call;
  }

  /** TOOL_CALL_CHUNK: a start when it names the tool, arguments always; ended by the result. */
  #chunk(event: Record<string, unknown>): WorkerAction[] {
    const id = typeof event.toolCallId === 'string' ? event.toolCallId : undefined;
    if (!id) throw protocolError('AG-UI: TOOL_CALL_CHUNK without toolCallId');
    if (!this.#tools.has(id)) this.#tools.set(id, { name: typeof event.toolCallName === 'string' ? event.toolCallName : 'tool', args: '' });
    if (typeof event.delta === 'string') this.#openCall(id).args += event.delta;
    return [keepalive];
  }

  #executing(toolCallId: string): WorkerAction {
    const call = this.#openCall(toolCallId);
    if (call.startedAt !== undefined) return keepalive;
    call.startedAt = Date.now();
    return { kind: 'emit', type: 'tool_executing', data: { toolName: call.name, toolCallId, args: jsonOrText(call.args === '' ? '{}' : call.args) } };
  }

  #completed(toolCallId: string, content: string): WorkerAction {
    const call = this.#tools.get(toolCallId);
    this.#tools.delete(toolCallId);
    const durationMs = call?.startedAt === undefined ? 0 : Date.now() - call.startedAt;
    const toolName = call?.name ?? 'tool';
    const result = jsonOrText(content);
    const failure = failureOf(result);
    if (failure) return { kind: 'emit', type: 'tool_completed', data: { toolName, toolCallId, status: failure.status, error: failure.error, durationMs } };
    return { kind: 'emit', type: 'tool_completed', data: { toolName, toolCallId, status: 'success', result, durationMs } };
  }
}

const keepalive: WorkerAction = { kind: 'keepalive' };

function progressOf(activityType: unknown, content: unknown): WorkerAction {
  if (activityType !== 'progress' || typeof content !== 'object' || content === null) return keepalive;
  const { message, progress } = content as { message?: unknown; progress?: unknown };
  if (typeof message !== 'string') return keepalive;
  const fraction = typeof progress === 'number' && progress >= 0 && progress <= 1 ? { progress } : {};
  return { kind: 'emit', type: 'progress_update', data: { message, ...fraction } };
}

function finished(event: Record<string, unknown>): WorkerAction {
  const outcome = event.outcome as { type?: unknown } | undefined;
  if (outcome?.type === 'cancelled') return { kind: 'error', code: AgentErrorCode.CANCELLED, message: 'the AG-UI server cancelled the run' };
  return { kind: 'completed', result: event.result ?? null };
}

/** agentwire's AG-UI out reports a failed tool as `{"status": "error", "error": "…"}`. */
function failureOf(result: unknown): { status: 'error' | 'timeout'; error: string } | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { status, error } = result as { status?: unknown; error?: unknown };
  if ((status === 'error' || status === 'timeout') && typeof error === 'string' && Object.keys(result).length === 2) return { status, error };
  return undefined;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
