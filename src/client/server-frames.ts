/**
 * The client's two ends of the wire, typed from the protocol: what it may send (a ClientMessage,
 * nothing else) and what it accepts (a ServerMessage whose fields the client uses have the right
 * types). The inbound check is hand-written and structural — a zod parse per event would cost
 * the client bundle and every event's time; this checks what the client reads and no more.
 */
import { envelopeProblem } from '../protocol/envelope-check.js';
import type { ClientMessage, ServerMessage } from '../protocol/messages.js';

export function encodeClientMessage(message: ClientMessage): string {
  return JSON.stringify(message);
}

export type InboundFrame = { ok: true; message: ServerMessage } | { ok: false; problem: string };

type Fields = Record<string, unknown>;
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const optionalString = (value: unknown): boolean => value === undefined || isString(value);

/** Per control message type: what is wrong with its fields, or undefined. */
const CONTROL_CHECKS: Record<string, (frame: Fields) => string | undefined> = {
  connection_established: (f) =>
    ![f.connectionId, f.userId, f.epoch].every(isString) || ![f.lastSeq, f.heartbeatMs].every(isNumber) || typeof f.limits !== 'object' || f.limits === null
      ? 'connection_established needs connectionId, userId, epoch, lastSeq, heartbeatMs and limits'
      : undefined,
  resumed: (f) => (![f.fromSeq, f.toSeq].every(isNumber) || typeof f.recovered !== 'boolean' ? 'resumed needs fromSeq, toSeq and recovered' : undefined),
  run_accepted: (f) => (![f.clientMessageId, f.runId, f.threadId].every(isString) ? 'run_accepted needs clientMessageId, runId and threadId' : undefined),
  error: (f) =>
    !isString(f.code) || !isString(f.message) || !optionalString(f.clientMessageId) || !optionalString(f.runId) ? 'error needs a string code and message' : undefined,
  pong: () => undefined,
};

/** Parses and checks one text frame from the server. Never throws. */
export function readServerFrame(text: string): InboundFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'the frame is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'the frame is not a JSON object' };
  const type = (value as Fields).type;
  const check = typeof type === 'string' && Object.hasOwn(CONTROL_CHECKS, type) ? CONTROL_CHECKS[type] : undefined;
  const problem = check ? check(value as Fields) : envelopeProblem(value);
  return problem === undefined ? { ok: true, message: value as ServerMessage } : { ok: false, problem: `${String(type).slice(0, 40)}: ${problem}` };
}
