/**
 * The one owner of the event frame's byte layout: the JSON text of an agent event envelope, as
 * stored and as sent to sockets. Stores encode with it (once per event, when its seq is known),
 * the Redis append script joins the two halves it returns around the seq it assigns, and readers
 * get routing fields back from it. Nothing else builds or slices a frame.
 */
import { envelopeProblem } from './envelope-check.js';
import { AGENT_EVENT_TYPES, type AgentEvent, type AgentEventDataMap, type AgentEventType } from './events.js';

/** What an event frame is made of, before the store gives it a seq and an epoch. */
export interface FrameDraft<T extends AgentEventType = AgentEventType> {
  type: T;
  eventId: string;
  runId: string;
  threadId: string;
  userId: string;
  agentName: string;
  /** Epoch milliseconds; the frame carries it as ISO-8601. */
  ts: number;
  data: AgentEventDataMap[T];
}

/** A frame without its seq: `head + seq + tail` is the frame. */
export interface FrameParts {
  head: string;
  tail: string;
}

/** The fields a frame is routed and indexed by. */
export interface FrameRouting {
  type: AgentEventType;
  seq: number;
  runId: string;
  threadId: string;
  userId: string;
}

/** A frame that is not an agent event envelope this codec can route: never guessed at. */
export class FrameFormatError extends Error {
  override readonly name = 'FrameFormatError';
}

const EVENT_TYPES: ReadonlySet<string> = new Set(AGENT_EVENT_TYPES);

// Events come in bursts within the same millisecond: format each millisecond once.
let lastMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * The frame of an event. Concatenated rather than JSON.stringify of an envelope object: the same
 * text (the envelope's field order), with one stringify for the payload and none for the fixed
 * parts — this is on the hot path, once per event.
 */
export function encodeFrame(draft: FrameDraft, seq: number, epoch: string): string {
  // frameHead's text, written inline: one template instead of three strings joined (measured).
  checkType(draft.type);
  return `{"v":1,"type":"${draft.type}","seq":${seq}${frameTail(draft, epoch)}`;
}

/** The frame split around its seq, for a store that assigns the seq elsewhere (Redis's script). */
export function encodeFrameParts(draft: FrameDraft, epoch: string): FrameParts {
  return { head: frameHead(draft.type), tail: frameTail(draft, epoch) };
}

/** Joins the halves with the seq: byte for byte what encodeFrame(draft, seq, epoch) returns. */
export function joinFrame(parts: FrameParts, seq: number): string {
  return parts.head + String(seq) + parts.tail;
}

/**
 * The text that marks a frame as the one of this eventId, for a plain substring search (the Redis
 * append script looks for an append that may already have run). It spans the eventId's neighbours
 * in the envelope: a payload matches only by carrying this very eventId (server-made, random)
 * between the same two keys.
 */
export function eventIdMark(eventId: string): string {
  return `,"eventId":${JSON.stringify(eventId)},"runId":`;
}

function frameHead(type: AgentEventType): string {
  checkType(type);
  return `{"v":1,"type":"${type}","seq":`;
}

function checkType(type: string): void {
  // The type goes in unquoted by stringify: refuse anything but the enum, so it cannot break out.
  if (!EVENT_TYPES.has(type)) throw new FrameFormatError(`not an agent event type: ${type.slice(0, 40)}`);
}

function frameTail(draft: FrameDraft, epoch: string): string {
  // Ids are validated by the emitter's context; they are quoted with JSON.stringify all the same.
  return (
    `,"epoch":${JSON.stringify(epoch)},"eventId":${JSON.stringify(draft.eventId)},"runId":${JSON.stringify(draft.runId)}` +
    `,"threadId":${JSON.stringify(draft.threadId)},"userId":${JSON.stringify(draft.userId)}` +
    `,"agentName":${JSON.stringify(draft.agentName)},"ts":"${isoTime(draft.ts)}","data":${JSON.stringify(draft.data)}}`
  );
}

// The prefix encodeFrame writes, anchored at the start: the envelope's own fields all come
// before `data`, so nothing inside the payload can be read as a routing field. The type is the
// protocol's list itself (a Set lookup on the captured text measured ~70 ns more per read). The
// strings read are JSON string bodies, unescaped only when they hold a backslash; the epoch and
// eventId are skipped as `[^"]*` (an escaped quote in one sends the frame to the full parse).
const STR = '"((?:[^"\\\\]|\\\\.)*)"';
const HEAD = new RegExp(
  `^\\{"v":1,"type":"(${AGENT_EVENT_TYPES.join('|')})","seq":(0|[1-9]\\d{0,15}),"epoch":"[^"]*","eventId":"[^"]*","runId":${STR},"threadId":${STR},"userId":${STR},`,
);

/**
 * The routing fields of a frame. The fast path reads the prefix encodeFrame writes; any other
 * shape (keys reordered, a field added by another version) is parsed in full and its top-level
 * fields checked, and a frame without them throws FrameFormatError rather than routing anywhere.
 */
export function readFrameRouting(frame: string): FrameRouting {
  const match = HEAD.exec(frame);
  if (match !== null) {
    // Indexed, not destructured: destructuring the match array measured slower on this path.
    const type = match[1] as AgentEventType;
    const seq = Number(match[2]);
    if (Number.isSafeInteger(seq)) {
      return { type, seq, runId: unescape(match[3] as string), threadId: unescape(match[4] as string), userId: unescape(match[5] as string) };
    }
  }
  const { type, seq, runId, threadId, userId } = decodeFrame(frame);
  return { type, seq, runId, threadId, userId };
}

/** The whole event of a frame, with its envelope checked (not its payload): throws FrameFormatError. */
export function decodeFrame(frame: string): AgentEvent {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch (error) {
    throw new FrameFormatError('frame is not JSON', { cause: error });
  }
  const problem = envelopeProblem(value);
  if (problem !== undefined) throw new FrameFormatError(`frame is not an agent event: ${problem}`);
  return value as AgentEvent;
}

function unescape(value: string): string {
  if (!value.includes('\\')) return value;
  try {
    return JSON.parse(`"${value}"`) as string;
  } catch (error) {
    throw new FrameFormatError('frame has an invalid escape in a routing field', { cause: error });
  }
}
