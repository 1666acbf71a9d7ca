/**
 * The cheap structural check of an agent event envelope, shared by the server's frame reader
 * (frame-codec.ts) and the client. Imports nothing but the event type list, so the client bundle
 * stays small and Node-free.
 */
import { AGENT_EVENT_TYPES, PROTOCOL_VERSION } from './events.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(AGENT_EVENT_TYPES);

const ENVELOPE_STRINGS = ['epoch', 'eventId', 'runId', 'threadId', 'userId', 'agentName', 'ts'] as const;

/**
 * What is wrong with a parsed value as an event envelope, or undefined when nothing is: a cheap
 * structural check of the fields routing and clients rely on, not a schema parse of the payload.
 */
export function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const envelope = value as Record<string, unknown>;
  if (envelope.v !== PROTOCOL_VERSION) return `unsupported version ${String(envelope.v).slice(0, 20)}`;
  if (typeof envelope.type !== 'string' || !EVENT_TYPES.has(envelope.type)) return 'unknown event type';
  const seq = envelope.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return 'seq is not a non-negative integer';
  for (const key of ENVELOPE_STRINGS) if (typeof envelope[key] !== 'string') return `${key} is not a string`;
  if (typeof envelope.data !== 'object' || envelope.data === null || Array.isArray(envelope.data)) return 'data is not an object';
  return undefined;
}
