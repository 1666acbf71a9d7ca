/**
 * Runtime validation for every frame a client can send, and for the payload of every agent
 * event an agent can emit. Bytes that arrive from outside are parsed here and nowhere else.
 */
import { z } from 'zod';
import type { ClientMessage } from './messages.js';
import type { AgentEventDataMap, AgentEventType } from './events.js';
import { MAX_NESTING_DEPTH, nestsDeeperThan } from './json-depth.js';

/** Longest id (thread, run, client message, epoch) accepted on the wire. */
export const MAX_ID_LENGTH = 128;
export { MAX_NESTING_DEPTH } from './json-depth.js';

const id = z.string().min(1).max(MAX_ID_LENGTH);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export function clientMessageSchema(maxTextChars: number) {
  return z.discriminatedUnion('type', [
    z.object({
      type: z.literal('user_message'),
      text: z.string().min(1).max(maxTextChars),
      threadId: id.exactOptional(),
      agent: z.string().min(1).max(64).exactOptional(),
      clientMessageId: id,
    }),
    z.object({ type: z.literal('resume'), lastSeq: seq, epoch: id }),
    z.object({ type: z.literal('ack'), seq }),
    z.object({ type: z.literal('cancel'), runId: id }),
    z.object({ type: z.literal('ping') }),
  ]);
}

export const CLIENT_MESSAGE_TYPES: ReadonlySet<string> = new Set(['user_message', 'resume', 'ack', 'cancel', 'ping']);

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: 'INVALID_MESSAGE' | 'UNKNOWN_TYPE'; message: string; clientMessageId?: string };

/**
 * Parses one inbound text frame. Never throws: every failure comes back as a code and a message
 * that say what was wrong, so the connection can answer and carry on.
 */
export function parseClientMessage(text: string, schema: ReturnType<typeof clientMessageSchema>, maxDepth = MAX_NESTING_DEPTH): ParseResult {
  if (nestsDeeperThan(text, maxDepth)) {
    return { ok: false, code: 'INVALID_MESSAGE', message: `frame nests arrays or objects deeper than ${maxDepth} levels` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'INVALID_MESSAGE', message: 'frame is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'INVALID_MESSAGE', message: 'frame must be a JSON object' };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, code: 'INVALID_MESSAGE', message: 'frame has no string "type"' };
  const echo = echoClientMessageId(raw);
  if (!CLIENT_MESSAGE_TYPES.has(type)) {
    return { ok: false, code: 'UNKNOWN_TYPE', message: `unknown message type "${type.slice(0, 40)}"`, ...echo };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    return { ok: false, code: 'INVALID_MESSAGE', message: `${type}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`, ...echo };
  }
  return { ok: true, message: parsed.data };
}

function echoClientMessageId(raw: object): { clientMessageId?: string } {
  const value = (raw as { clientMessageId?: unknown }).clientMessageId;
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH ? { clientMessageId: value } : {};
}

const fraction = z.number().min(0).max(1);
const nonNegative = z.number().min(0);

/** Payload schemas, one per event type: the emitter refuses an event whose data does not fit. */
export const eventDataSchemas = {
  agent_started: z.object({ input: z.string() }),
  agent_thinking: z.object({ reasoning: z.string(), step: z.number().int().min(0).exactOptional(), progress: fraction.exactOptional() }),
  tool_executing: z.object({ toolName: z.string().min(1), toolCallId: z.string().min(1), args: z.unknown() }),
  tool_completed: z.object({
    toolName: z.string().min(1),
    toolCallId: z.string().min(1),
    status: z.enum(['success', 'error', 'timeout']),
    result: z.unknown().exactOptional(),
    error: z.string().exactOptional(),
    durationMs: nonNegative,
  }),
  agent_message_delta: z.object({ delta: z.string() }),
  progress_update: z.object({ message: z.string(), progress: fraction.exactOptional() }),
  agent_completed: z.object({ result: z.unknown(), durationMs: nonNegative }),
  agent_error: z.object({ code: z.string().min(1), message: z.string(), durationMs: nonNegative }),
  agent_death: z.object({ cause: z.string().min(1), message: z.string() }),
} satisfies { [K in AgentEventType]: z.ZodType<AgentEventDataMap[K]> };
