/**
 * Agent events: one envelope, one payload type per event type. This file is the public contract
 * for client authors; docs/protocol.md describes the same thing in prose.
 */
import type { AgentErrorCode, DeathCause } from './codes.js';

export const PROTOCOL_VERSION = 1;

/** Tool call outcome as reported in `tool_completed`. */
export type ToolStatus = 'success' | 'error' | 'timeout';

export interface AgentStartedData {
  /** A short summary of the input (the user's message, truncated). */
  input: string;
}
export interface AgentThinkingData {
  reasoning: string;
  step?: number;
  /** 0..1 */
  progress?: number;
}
export interface ToolExecutingData {
  toolName: string;
  toolCallId: string;
  args: unknown;
}
export interface ToolCompletedData {
  toolName: string;
  toolCallId: string;
  status: ToolStatus;
  result?: unknown;
  error?: string;
  durationMs: number;
}
export interface AgentMessageDeltaData {
  delta: string;
}
export interface ProgressUpdateData {
  message: string;
  /** 0..1 */
  progress?: number;
}
export interface AgentCompletedData {
  result: unknown;
  durationMs: number;
}
export interface AgentErrorData {
  code: AgentErrorCode | (string & {});
  message: string;
  durationMs: number;
}
export interface AgentDeathData {
  cause: DeathCause | (string & {});
  message: string;
}

/** The payload of each agent event type. */
export interface AgentEventDataMap {
  agent_started: AgentStartedData;
  agent_thinking: AgentThinkingData;
  tool_executing: ToolExecutingData;
  tool_completed: ToolCompletedData;
  agent_message_delta: AgentMessageDeltaData;
  progress_update: ProgressUpdateData;
  agent_completed: AgentCompletedData;
  agent_error: AgentErrorData;
  agent_death: AgentDeathData;
}
export type AgentEventType = keyof AgentEventDataMap;

export const AGENT_EVENT_TYPES = [
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_message_delta',
  'progress_update',
  'agent_completed',
  'agent_error',
  'agent_death',
] as const satisfies readonly AgentEventType[];

/** The three events that end a run. Exactly one of them is sent per run, always last. */
export const TERMINAL_EVENT_TYPES = ['agent_completed', 'agent_error', 'agent_death'] as const;
export type TerminalEventType = (typeof TERMINAL_EVENT_TYPES)[number];

export function isTerminalType(type: string): type is TerminalEventType {
  return type === 'agent_completed' || type === 'agent_error' || type === 'agent_death';
}

/** The envelope every agent event travels in. */
export interface AgentEventEnvelope<T extends AgentEventType = AgentEventType> {
  v: 1;
  type: T;
  /** Per-user sequence number: 1, 2, 3… without gaps within an epoch. */
  seq: number;
  /** Identifies the store's sequence space; when it changes, seqs start over. */
  epoch: string;
  eventId: string;
  runId: string;
  threadId: string;
  userId: string;
  agentName: string;
  /** ISO-8601 time at which the server accepted the event. */
  ts: string;
  data: AgentEventDataMap[T];
}

/** The discriminated union of all agent events: narrowing on `type` narrows `data`. */
export type AgentEvent = { [K in AgentEventType]: AgentEventEnvelope<K> }[AgentEventType];
