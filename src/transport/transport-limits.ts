import { MAX_NESTING_DEPTH } from '../protocol/json-depth.js';

/** Limits of the WebSocket transport. Each has a default here and a setting (see config). */
export interface TransportLimits {
  /** Largest inbound frame; a bigger one closes the connection with 1009 (default 1 MiB). */
  maxFrameBytes: number;
  /**
   * Deepest nesting of arrays and objects in JSON from a client, WebSocket frames and HTTP
   * bodies alike, checked before parsing (default 64; see json-depth.ts).
   */
  maxJsonDepth: number;
  /** Longest user_message text, in characters (default 32,000). */
  maxTextChars: number;
  /** Sustained inbound messages per second per connection (default 20). */
  messagesPerSecond: number;
  /** Messages a connection may send in a burst above the rate (default 40). */
  messageBurst: number;
  /**
   * Sustained inbound bytes per second per connection (default 1 MiB, burst twice that): the
   * message rate alone would let one connection send 20 frames of 1 MiB a second, and parsing
   * them would keep a core busy for everyone.
   */
  inboundBytesPerSecond: number;
  /** Consecutive rate-limited messages after which the connection is closed with 4429 (default 50). */
  maxRateLimitedInARow: number;
  /** Open connections per user; one more is closed with 4429 (default 10). */
  connectionsPerUser: number;
  /**
   * Outbound bytes buffered per connection before live pushes stop and the connection is fed
   * from the store as it drains (default 8 MiB).
   */
  maxOutboundBytes: number;
  /** How long a connection may sit past maxOutboundBytes without draining before it is closed with 4408 (default 10 s). */
  slowConsumerTimeoutMs: number;
  /**
   * Events one connection reads from the store and writes per turn of the event loop while it
   * catches up or replays (default 256): its replay budget. Between two pages it yields, so a
   * resume storm on one user's connections cannot stall everyone else's delivery.
   */
  replayPageEvents: number;
  /**
   * In-band resumes that may wait behind the one a connection is replaying (default 16); one
   * more is refused with RATE_LIMITED. Resumes of a connection are served one at a time.
   */
  maxPendingResumes: number;
  /** Interval of WebSocket pings; a connection that misses one pong is dropped (default 25 s). */
  heartbeatMs: number;
  /** How long after its token expires a connection may stay open (default 0). */
  tokenExpiryGraceMs: number;
  /**
   * Upgrades per second from one client address whose token is missing or fails (default 20,
   * burst 40); past it HTTP 429. Valid tokens are not counted: they are capped per user.
   */
  connectionsPerSecondPerIp: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxFrameBytes: 1024 * 1024,
  maxJsonDepth: MAX_NESTING_DEPTH,
  maxTextChars: 32_000,
  messagesPerSecond: 20,
  messageBurst: 40,
  inboundBytesPerSecond: 1024 * 1024,
  maxRateLimitedInARow: 50,
  connectionsPerUser: 10,
  maxOutboundBytes: 8 * 1024 * 1024,
  slowConsumerTimeoutMs: 10_000,
  replayPageEvents: 256,
  maxPendingResumes: 16,
  heartbeatMs: 25_000,
  tokenExpiryGraceMs: 0,
  connectionsPerSecondPerIp: 20,
};
