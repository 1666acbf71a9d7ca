/**
 * What one event from a worker means for the run, whatever wire format it came in: an event to
 * emit, a sign of life, or the run's end. Decoders produce these; the remote agent applies them.
 */
import type { NonTerminalEventType } from '../engine/define-agent.js';
import type { AgentEventDataMap } from '../protocol/events.js';

export type WorkerAction =
  | { [T in NonTerminalEventType]: { kind: 'emit'; type: T; data: AgentEventDataMap[T] } }[NonTerminalEventType]
  | { kind: 'keepalive' }
  | { kind: 'completed'; result: unknown }
  | { kind: 'error'; code: string; message: string };

/** A worker's error codes become agent_error codes when they are well-formed; others are replaced. */
export const WORKER_CODE = /^[a-z][a-z0-9_]{0,63}$/;
