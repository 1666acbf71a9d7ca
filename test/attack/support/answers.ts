/**
 * What docs/protocol.md says the server answers to a client frame, written from the document,
 * not from the server's schema: the oracle of the hostile-frame properties. And `answerTo`, which
 * sends a frame followed by a ping and returns exactly what the server sent in between.
 */
import { expect } from 'vitest';
import type { ServerMessage } from 'agentwire';
import type { TestClient } from '../../helpers/ws-client.js';

/** The server-visible parts of an answer: code and echoed ids, or the control frame type. */
export type Answer =
  | { type: 'error'; code: string; clientMessageId?: string; runId?: string }
  | { type: 'pong' }
  | { type: 'resumed'; recovered: boolean };

export interface SpecContext {
  maxTextChars: number;
  /** The store epoch (a resume naming any other is unrecoverable). */
  epoch: string;
  /** Highest seq written to the connection (acks above it are refused). */
  cursor: number;
  agents: ReadonlySet<string>;
}

const MAX_ID = 128;
const TYPES = new Set(['user_message', 'resume', 'ack', 'cancel', 'ping']);
/** Nesting deeper than this is refused before parsing (see parseClientMessage). */
export const MAX_NESTING = 64;

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_ID;
}
function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
function absentOr(raw: Record<string, unknown>, key: string, check: (v: unknown) => boolean): boolean {
  return !Object.hasOwn(raw, key) || check(raw[key]);
}

/** Field rules of each client message, from the protocol document. */
function fieldsValid(type: string, raw: Record<string, unknown>, spec: SpecContext): boolean {
  switch (type) {
    case 'user_message':
      return (
        typeof raw.text === 'string' && raw.text.length >= 1 && raw.text.length <= spec.maxTextChars &&
        isId(raw.clientMessageId) &&
        absentOr(raw, 'threadId', isId) &&
        absentOr(raw, 'agent', (v) => typeof v === 'string' && v.length >= 1 && v.length <= 64)
      );
    case 'resume':
      return isSeq(raw.lastSeq) && isId(raw.epoch);
    case 'ack':
      return isSeq(raw.seq);
    case 'cancel':
      return isId(raw.runId);
    default:
      return true;
  }
}

/** Nesting depth of a parsed value (a scalar is 0, `{}` is 1), without recursion. */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The documented answer to one text frame, or 'starts-a-run' for a valid user_message that
 * names a served agent (the properties do not generate those: they would start runs).
 */
export function expectedAnswers(text: string, spec: SpecContext): Answer[] | 'starts-a-run' {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [{ type: 'error', code: 'INVALID_MESSAGE' }];
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ type: 'error', code: 'INVALID_MESSAGE' }];
  if (depthOf(raw) > MAX_NESTING) return [{ type: 'error', code: 'INVALID_MESSAGE' }];
  const record = raw as Record<string, unknown>;
  const type = Object.hasOwn(record, 'type') ? record.type : undefined;
  if (typeof type !== 'string') return [{ type: 'error', code: 'INVALID_MESSAGE' }];
  const echo = Object.hasOwn(record, 'clientMessageId') && isId(record.clientMessageId) ? { clientMessageId: record.clientMessageId } : {};
  if (!TYPES.has(type)) return [{ type: 'error', code: 'UNKNOWN_TYPE', ...echo }];
  if (!fieldsValid(type, record, spec)) return [{ type: 'error', code: 'INVALID_MESSAGE', ...echo }];
  switch (type) {
    case 'ping':
      return [{ type: 'pong' }];
    case 'ack':
      return (record.seq as number) <= spec.cursor ? [] : [{ type: 'error', code: 'INVALID_MESSAGE' }];
    case 'resume':
      // Nothing was ever sent on these connections: either the epoch is foreign or lastSeq is
      // beyond the cursor (unrecoverable), or there is nothing to replay (recovered).
      return [{ type: 'resumed', recovered: record.epoch === spec.epoch && (record.lastSeq as number) <= spec.cursor }];
    case 'cancel':
      return [{ type: 'error', code: 'NOT_FOUND', runId: record.runId as string }];
    default: {
      const agent = record.agent;
      const clientMessageId = record.clientMessageId as string;
      if (typeof agent === 'string' && !spec.agents.has(agent)) return [{ type: 'error', code: 'UNKNOWN_AGENT', clientMessageId }];
      // Thread ids are issued by the server: a made-up one names no thread.
      if (Object.hasOwn(record, 'threadId')) return [{ type: 'error', code: 'NOT_FOUND', clientMessageId }];
      return 'starts-a-run';
    }
  }
}

/** Reduces a server frame to what the oracle predicts, checking the rest of its shape on the way. */
export function normalise(frame: ServerMessage): Answer | ServerMessage {
  if (frame.type === 'error') {
    // An error never reflects the attacker's payload: a short message, ids at most MAX_ID long.
    expect(typeof frame.message).toBe('string');
    expect(JSON.stringify(frame).length).toBeLessThan(1024);
    const { type, code, clientMessageId, runId } = frame;
    return { type, code, ...(clientMessageId === undefined ? {} : { clientMessageId }), ...(runId === undefined ? {} : { runId }) };
  }
  if (frame.type === 'resumed') return { type: 'resumed', recovered: frame.recovered };
  return frame;
}

function sortKey(answer: Answer | ServerMessage): string {
  return JSON.stringify(answer);
}

/**
 * Sends `frame`, then a ping, and returns what the server sent in between (the closing pong
 * excluded), once `expected` answers have arrived. Frames of one connection are handled in
 * order, so anything the frame provoked synchronously comes before the pong; an asynchronous
 * answer (resume, cancel, user_message) is waited for. Anything unexpected that arrives later
 * shows up in the next call's window, so a stray answer cannot hide.
 */
export async function answerTo(client: TestClient, frame: string | Buffer, expected: Answer[], options: { binary?: boolean } = {}): Promise<void> {
  const mark = client.frames.length;
  if (typeof frame === 'string') client.send(frame);
  else client.socket.send(frame, { binary: options.binary ?? true });
  client.send({ type: 'ping' });
  const pongs = expected.filter((a) => a.type === 'pong').length + 1;
  const after = await client.waitUntil(() => {
    const frames = client.frames.slice(mark);
    return frames.filter((f) => f.type === 'pong').length >= pongs && frames.length >= expected.length + 1 ? frames : undefined;
  }, 15_000);
  // The last pong answers our ping; everything else is the frame's answer.
  const lastPong = after.map((f) => f.type).lastIndexOf('pong');
  const answers = after.filter((_f, i) => i !== lastPong).map(normalise);
  expect(answers.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual([...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
}
