/**
 * Control messages in both directions. Agent events (events.ts) are the other server→client
 * frames.
 */
import type { ErrorCode } from './codes.js';
import type { AgentEvent } from './events.js';

// ---- client → server -------------------------------------------------------------------------

export interface UserMessage {
  type: 'user_message';
  text: string;
  /** Continue an existing thread of this user; omitted starts a new thread. */
  threadId?: string;
  /** Agent name; the server's default agent when omitted. */
  agent?: string;
  /** Client-chosen id; a retry with the same id never starts a second run. */
  clientMessageId: string;
}
export interface ResumeMessage {
  type: 'resume';
  lastSeq: number;
  epoch: string;
}
export interface AckMessage {
  type: 'ack';
  /** Cumulative: every event up to and including this seq was received. */
  seq: number;
}
export interface CancelMessage {
  type: 'cancel';
  runId: string;
}
export interface PingMessage {
  type: 'ping';
}
export type ClientMessage = UserMessage | ResumeMessage | AckMessage | CancelMessage | PingMessage;
export type ClientMessageType = ClientMessage['type'];

// ---- server → client -------------------------------------------------------------------------

/** The limits the server enforces on this connection, announced up front. */
export interface ConnectionLimits {
  maxFrameBytes: number;
  messagesPerSecond: number;
  connectionsPerUser: number;
  concurrentRunsPerUser: number;
  queuedRunsPerUser: number;
  outboundBufferBytes: number;
}
export interface ConnectionEstablished {
  type: 'connection_established';
  connectionId: string;
  userId: string;
  epoch: string;
  /** The head of this user's stream when the connection opened. */
  lastSeq: number;
  heartbeatMs: number;
  limits: ConnectionLimits;
}
export interface RunAccepted {
  type: 'run_accepted';
  clientMessageId: string;
  runId: string;
  threadId: string;
}
export interface Resumed {
  type: 'resumed';
  /** First seq the replay covered (lastSeq + 1 of the request). */
  fromSeq: number;
  /** Last seq replayed; fromSeq - 1 when nothing was missing. */
  toSeq: number;
  /** false: the store no longer holds every event after lastSeq (or the epoch changed). */
  recovered: boolean;
}
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  clientMessageId?: string;
  runId?: string;
}
export interface PongMessage {
  type: 'pong';
}
export type ServerControlMessage = ConnectionEstablished | RunAccepted | Resumed | ErrorMessage | PongMessage;
export type ServerMessage = ServerControlMessage | AgentEvent;
