/**
 * agentwire's own worker format: one event per NDJSON line `{"type": "...", "data": {...}}`, or
 * per SSE message (`event: <type>` and `data: <payload JSON>`, or data-only with the NDJSON
 * object). Payloads are checked with the same schemas the emitter uses, so a bad event is
 * refused here, with a worker_protocol_error, and never reaches the store or a socket.
 *
 * A worker may send every non-terminal type except agent_started (the engine sends it), a
 * `heartbeat` (a sign of life), and ends with agent_completed {result} or agent_error {code,
 * message}. durationMs is the engine's measure, so a worker's is ignored; agent_death is the
 * engine's judgment about a worker, never a worker's claim.
 */
import { z } from 'zod';
import { AgentRunError } from '../engine/define-agent.js';
import { AgentErrorCode } from '../protocol/codes.js';
import { eventDataSchemas } from '../protocol/schema.js';
import { WORKER_CODE, type WorkerAction } from './worker-action.js';

const EMITTABLE = ['agent_thinking', 'tool_executing', 'tool_completed', 'agent_message_delta', 'progress_update'] as const;
type Emittable = (typeof EMITTABLE)[number];

const completedSchema = z.object({ result: z.unknown().optional() });
const errorSchema = z.object({ code: z.string().regex(WORKER_CODE), message: z.string() });

/** Decodes one event given its type and payload (SSE `event:` + `data:`). */
export function decodeAgentwireEvent(type: string, data: unknown): WorkerAction {
  if (type === 'heartbeat') return { kind: 'keepalive' };
  if (type === 'agent_completed') {
    const parsed = completedSchema.safeParse(data ?? {});
    if (!parsed.success) throw protocolError(`agent_completed: ${issue(parsed.error)}`);
    return { kind: 'completed', result: parsed.data.result ?? null };
  }
  if (type === 'agent_error') {
    const parsed = errorSchema.safeParse(data);
    if (!parsed.success) throw protocolError(`agent_error: ${issue(parsed.error)}`);
    return { kind: 'error', code: parsed.data.code, message: parsed.data.message };
  }
  if (!isEmittable(type)) throw protocolError(`a worker may not send events of type "${type.slice(0, 40)}"`);
  const parsed = eventDataSchemas[type].safeParse(data);
  if (!parsed.success) throw protocolError(`${type}: ${issue(parsed.error)}`);
  return { kind: 'emit', type, data: parsed.data } as WorkerAction;
}

/** Decodes one `{type, data}` object (an NDJSON line, or a data-only SSE message). */
export function decodeAgentwireObject(value: unknown): WorkerAction {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw protocolError('an event must be a JSON object');
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') throw protocolError('an event has no string "type"');
  return decodeAgentwireEvent(type, data);
}

/** JSON text from a worker; bad JSON is a protocol error. */
export function parseWorkerJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw protocolError(`not valid JSON: ${JSON.stringify(text.slice(0, 60))}`);
  }
}

export function isAgentwireType(type: string): boolean {
  return type === 'heartbeat' || type === 'agent_completed' || type === 'agent_error' || type === 'agent_started' || type === 'agent_death' || isEmittable(type);
}

function isEmittable(type: string): type is Emittable {
  return (EMITTABLE as readonly string[]).includes(type);
}

export function protocolError(message: string): AgentRunError {
  return new AgentRunError(AgentErrorCode.WORKER_PROTOCOL_ERROR, `the worker sent an invalid event: ${message}`);
}

function issue(error: z.ZodError): string {
  const first = error.issues[0];
  return `${first?.path.join('.') ?? ''} ${first?.message ?? 'invalid'}`.trim();
}
