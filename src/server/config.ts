/**
 * Configuration from the environment. Every limit has a default (in its module) and a
 * variable here; a malformed value stops start-up with the variable's name in the message.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { EngineLimits } from '../engine/execution-engine.js';
import type { RetentionPolicy } from '../store/event-store.js';
import type { TransportLimits } from '../transport/transport-limits.js';
import type { LogLevel } from './logger.js';
import type { RedisSettings } from './node-backend.js';

export interface AgentwireConfig {
  port: number;
  host: string | undefined;
  store: string;
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
  diagnostics: boolean;
  logLevel: LogLevel;
  nodeId: string;
  transport: Partial<TransportLimits>;
  engine: Partial<EngineLimits>;
  retention: Partial<RetentionPolicy>;
  toolTimeoutMs: number | undefined;
  /** Settings of a redis:// store. */
  redis: RedisSettings;
}

type Env = Record<string, string | undefined>;

const TRANSPORT_VARS: [string, keyof TransportLimits][] = [
  ['AGENTWIRE_MAX_FRAME_BYTES', 'maxFrameBytes'],
  ['AGENTWIRE_MAX_TEXT_CHARS', 'maxTextChars'],
  ['AGENTWIRE_MESSAGES_PER_SECOND', 'messagesPerSecond'],
  ['AGENTWIRE_MESSAGE_BURST', 'messageBurst'],
  ['AGENTWIRE_INBOUND_BYTES_PER_SECOND', 'inboundBytesPerSecond'],
  ['AGENTWIRE_CONNECTIONS_PER_USER', 'connectionsPerUser'],
  ['AGENTWIRE_OUTBOUND_BUFFER_BYTES', 'maxOutboundBytes'],
  ['AGENTWIRE_SLOW_CONSUMER_TIMEOUT_MS', 'slowConsumerTimeoutMs'],
  ['AGENTWIRE_REPLAY_PAGE_EVENTS', 'replayPageEvents'],
  ['AGENTWIRE_MAX_PENDING_RESUMES', 'maxPendingResumes'],
  ['AGENTWIRE_PING_INTERVAL_MS', 'heartbeatMs'],
  ['AGENTWIRE_TOKEN_EXPIRY_GRACE_MS', 'tokenExpiryGraceMs'],
  ['AGENTWIRE_CONNECTIONS_PER_SECOND_PER_IP', 'connectionsPerSecondPerIp'],
];
const ENGINE_VARS: [string, keyof EngineLimits][] = [
  ['AGENTWIRE_RUNS_PER_USER', 'maxRunsPerUser'],
  ['AGENTWIRE_QUEUED_RUNS_PER_USER', 'maxQueuedPerUser'],
  ['AGENTWIRE_MAX_CONCURRENT_RUNS', 'maxConcurrentRuns'],
  ['AGENTWIRE_RUN_TIMEOUT_MS', 'runTimeoutMs'],
  ['AGENTWIRE_HEARTBEAT_TIMEOUT_MS', 'heartbeatTimeoutMs'],
];
const RETENTION_VARS: [string, keyof RetentionPolicy][] = [
  ['AGENTWIRE_RETENTION_EVENTS', 'maxEventsPerUser'],
  ['AGENTWIRE_RETENTION_AGE_MS', 'maxAgeMs'],
];
const REDIS_VARS: [string, keyof Omit<RedisSettings, 'prefix'>][] = [
  ['AGENTWIRE_STORE_RETRY_MS', 'retryMs'],
  ['AGENTWIRE_RUN_LEASE_MS', 'leaseMs'],
];
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function loadConfig(env: Env = process.env, defaults: { port?: number; store?: string } = {}): AgentwireConfig {
  const logLevel = (env.AGENTWIRE_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw configError('AGENTWIRE_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const toolTimeout = env.AGENTWIRE_TOOL_TIMEOUT_MS;
  const store = env.AGENTWIRE_STORE ?? defaults.store ?? 'sqlite:./data/agentwire.db';
  return {
    port: env.PORT === undefined ? (defaults.port ?? 3000) : positiveInt('PORT', env.PORT, true),
    host: nonEmpty(env.HOST),
    store,
    jwtSecret: nonEmpty(env.AGENTWIRE_JWT_SECRET),
    jwksUrl: nonEmpty(env.AGENTWIRE_JWKS_URL),
    issuer: nonEmpty(env.AGENTWIRE_JWT_ISSUER),
    audience: nonEmpty(env.AGENTWIRE_JWT_AUDIENCE),
    diagnostics: env.AGENTWIRE_DIAGNOSTICS === '1' || env.AGENTWIRE_DIAGNOSTICS === 'true',
    logLevel,
    nodeId: nonEmpty(env.AGENTWIRE_NODE_ID) ?? defaultNodeId(store),
    transport: numbers(env, TRANSPORT_VARS),
    engine: numbers(env, ENGINE_VARS),
    retention: numbers(env, RETENTION_VARS),
    toolTimeoutMs: toolTimeout === undefined ? undefined : positiveInt('AGENTWIRE_TOOL_TIMEOUT_MS', toolTimeout),
    redis: {
      ...optional('prefix', nonEmpty(env.AGENTWIRE_REDIS_PREFIX)),
      ...numbers(env, REDIS_VARS),
    },
  };
}

/**
 * "local" for a single node. Nodes sharing Redis must differ: a node's id marks the runs it
 * executes, and a restarted node ends the unfinished runs of its own id at once, so each
 * process gets its own unless AGENTWIRE_NODE_ID names it (a StatefulSet pod name, say).
 */
export function defaultNodeId(store: string): string {
  if (!store.startsWith('redis://') && !store.startsWith('rediss://')) return 'local';
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function numbers<K extends string>(env: Env, vars: [string, K][]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const [name, key] of vars) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') out[key] = positiveInt(name, raw, key === 'tokenExpiryGraceMs');
  }
  return out;
}

function positiveInt(name: string, raw: string, allowZero = false): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) throw configError(name, `must be ${allowZero ? 'a non-negative' : 'a positive'} integer, got "${raw}"`);
  return value;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function configError(name: string, message: string): AgentwireError {
  return new AgentwireError(InternalErrorCode.CONFIG, `${name} ${message}`);
}
