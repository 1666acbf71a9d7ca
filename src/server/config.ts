/**
 * Configuration from the environment. Every limit has a default (in its module) and a
 * variable here; a malformed value stops start-up with the variable's name in the message.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AgentwireError, InternalErrorCode, errorMessage } from '../errors/agentwire-error.js';
import type { EngineLimits } from '../engine/execution-engine.js';
import type { RetentionPolicy } from '../store/event-store.js';
import type { TransportLimits } from '../transport/transport-limits.js';
import type { HttpLimits } from './http-limits.js';
import type { LogLevel } from '../observability/logger.js';
import type { RedisSettings } from './node-backend.js';
import type { HttpRateLimits } from './http-rate-limit.js';
import { checkTrustedProxies, type ForwardedHeader } from '../transport/client-address.js';
import { tracingFromEnv } from '../tracing/tracing-config.js';
import type { TracingOptions } from '../tracing/run-tracer.js';

export interface AgentwireConfig {
  port: number;
  host: string | undefined;
  store: string;
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
  /** Refuse tokens without `exp` (AGENTWIRE_JWT_REQUIRE_EXP, default on; 0 relaxes it). */
  jwtRequireExp: boolean;
  diagnostics: boolean;
  /** Simulated model pacing for the built-in assistant (AGENTWIRE_DEMO_PACING, default on). */
  demoPacing: boolean;
  logLevel: LogLevel;
  nodeId: string;
  transport: Partial<TransportLimits>;
  /** HTTP server timeouts (AGENTWIRE_HTTP_*_TIMEOUT_MS). */
  http: Partial<HttpLimits>;
  engine: Partial<EngineLimits>;
  retention: Partial<RetentionPolicy>;
  toolTimeoutMs: number | undefined;
  /** Longest thread title a rename accepts (AGENTWIRE_MAX_THREAD_TITLE_CHARS; default in thread-routes). */
  maxThreadTitleChars: number | undefined;
  /** Settings of a redis:// store. */
  redis: RedisSettings;
  /** AGENTWIRE_TRUSTED_PROXIES: comma-separated addresses/CIDRs whose forwarding header is believed (default none). */
  trustedProxies: string[];
  /** AGENTWIRE_FORWARDED_HEADER: `x-forwarded-for` (default) or `forwarded`. */
  forwardedHeader: ForwardedHeader;
  httpRate: Partial<HttpRateLimits>;
  /** OTLP trace export (AGENTWIRE_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_*); undefined: tracing off. */
  tracing: TracingOptions | undefined;
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
  ['AGENTWIRE_MAX_JSON_DEPTH', 'maxJsonDepth'],
];
const HTTP_VARS: [string, keyof HttpLimits][] = [
  ['AGENTWIRE_HTTP_HEADERS_TIMEOUT_MS', 'headersTimeoutMs'],
  ['AGENTWIRE_HTTP_REQUEST_TIMEOUT_MS', 'requestTimeoutMs'],
  ['AGENTWIRE_HTTP_KEEP_ALIVE_TIMEOUT_MS', 'keepAliveTimeoutMs'],
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
const HTTP_RATE_VARS: [string, keyof HttpRateLimits][] = [
  ['AGENTWIRE_HTTP_REQUESTS_PER_SECOND_PER_USER', 'requestsPerSecondPerUser'],
  ['AGENTWIRE_HTTP_REQUESTS_PER_SECOND_PER_IP', 'requestsPerSecondPerAddress'],
];
const FORWARDED_HEADERS: readonly ForwardedHeader[] = ['x-forwarded-for', 'forwarded'];
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
    jwtRequireExp: flag('AGENTWIRE_JWT_REQUIRE_EXP', env.AGENTWIRE_JWT_REQUIRE_EXP, true),
    diagnostics: env.AGENTWIRE_DIAGNOSTICS === '1' || env.AGENTWIRE_DIAGNOSTICS === 'true',
    demoPacing: flag('AGENTWIRE_DEMO_PACING', env.AGENTWIRE_DEMO_PACING, true),
    logLevel,
    nodeId: nonEmpty(env.AGENTWIRE_NODE_ID) ?? defaultNodeId(store),
    transport: numbers(env, TRANSPORT_VARS),
    http: numbers(env, HTTP_VARS),
    engine: numbers(env, ENGINE_VARS),
    retention: numbers(env, RETENTION_VARS),
    toolTimeoutMs: toolTimeout === undefined ? undefined : positiveInt('AGENTWIRE_TOOL_TIMEOUT_MS', toolTimeout),
    maxThreadTitleChars: env.AGENTWIRE_MAX_THREAD_TITLE_CHARS === undefined ? undefined : positiveInt('AGENTWIRE_MAX_THREAD_TITLE_CHARS', env.AGENTWIRE_MAX_THREAD_TITLE_CHARS),
    redis: {
      ...optional('prefix', nonEmpty(env.AGENTWIRE_REDIS_PREFIX)),
      ...numbers(env, REDIS_VARS),
    },
    ...proxySettings(env),
    httpRate: numbers(env, HTTP_RATE_VARS),
    tracing: tracingFromEnv(env),
  };
}

function proxySettings(env: Env): { trustedProxies: string[]; forwardedHeader: ForwardedHeader } {
  const header = (nonEmpty(env.AGENTWIRE_FORWARDED_HEADER)?.trim().toLowerCase() ?? 'x-forwarded-for') as ForwardedHeader;
  if (!FORWARDED_HEADERS.includes(header)) throw configError('AGENTWIRE_FORWARDED_HEADER', `must be one of ${FORWARDED_HEADERS.join(', ')}`);
  const trustedProxies = (env.AGENTWIRE_TRUSTED_PROXIES ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  try {
    checkTrustedProxies(trustedProxies);
  } catch (error) {
    throw configError('AGENTWIRE_TRUSTED_PROXIES', errorMessage(error));
  }
  return { trustedProxies, forwardedHeader: header };
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

/** 1/true/on/yes or 0/false/off/no; anything else stops start-up with the variable's name. */
function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (/^(?:1|true|on|yes)$/i.test(raw.trim())) return true;
  if (/^(?:0|false|off|no)$/i.test(raw.trim())) return false;
  throw configError(name, `must be 1 or 0 (true/false, on/off), got "${raw}"`);
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
