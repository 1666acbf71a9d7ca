/**
 * Branded ids. Mixing a thread id up with a run id (or a user id) is a routing bug, so the types
 * keep them apart, and the parsers keep placeholders out.
 */
import { randomBytes } from 'node:crypto';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, 'UserId'>;
export type ThreadId = Brand<string, 'ThreadId'>;
export type RunId = Brand<string, 'RunId'>;

/**
 * Ids that mean "nobody in particular". The system this project replaces routed events for
 * such ids to a shared fallback context; here they are refused outright.
 */
const PLACEHOLDERS = new Set([
  'undefined', 'null', 'none', 'nil', 'unknown', 'default', 'default_user', 'anonymous', 'placeholder',
  'system', 'user', 'guest', '*', '-', '0',
]);

const MAX_USER_ID_LENGTH = 128;
// Printable, no whitespace: a user id ends up in logs, metrics labels are never built from it.
const USER_ID_PATTERN = /^[\x21-\x7e\u00a0-\uffff]+$/u;
const SERVER_ID_PATTERN = /^(thr|run)_[A-Za-z0-9_-]{22}$/;

export function parseUserId(value: unknown): UserId {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, 'user id must be a non-empty string');
  }
  if (value.length > MAX_USER_ID_LENGTH || !USER_ID_PATTERN.test(value)) {
    throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, 'user id has invalid characters or is too long');
  }
  if (PLACEHOLDERS.has(value.toLowerCase())) {
    throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, `"${value}" is a placeholder, not a user id`);
  }
  return value as UserId;
}

function newServerId(prefix: 'thr' | 'run'): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

export function newThreadId(): ThreadId {
  return newServerId('thr') as ThreadId;
}

export function newRunId(): RunId {
  return newServerId('run') as RunId;
}

/** Accepts only ids of the shape this server generates; anything else is refused. */
export function parseThreadId(value: string): ThreadId {
  if (!SERVER_ID_PATTERN.test(value) || !value.startsWith('thr_')) {
    throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, 'not a thread id issued by this server');
  }
  return value as ThreadId;
}

export function parseRunId(value: string): RunId {
  if (!SERVER_ID_PATTERN.test(value) || !value.startsWith('run_')) {
    throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, 'not a run id issued by this server');
  }
  return value as RunId;
}
