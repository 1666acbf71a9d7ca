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
const SERVER_ID_PATTERN = /^(thr|run)_[A-Za-z0-9_-]{22}$/;
/**
 * What an id may not contain: whitespace (U+00A0, U+2028…), controls, format characters (U+200B,
 * U+202E…), other default-ignorable code points (U+3164…), private-use and unassigned code
 * points, and lone surrogates. Each renders as nothing, as a space or as something else, so
 * `alice` and `alice\u00a0` would be two users that look like one in every log and UI.
 */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}]/u;

/**
 * Why an id someone else chose (a token's `sub`, a client's thread or run id) cannot be one, or
 * undefined when it can: it must be visible characters only, in Unicode normal form C (`é` as one
 * code point), so two ids that look the same are the same string.
 */
export function invisibleCharacterProblem(value: string): string | undefined {
  const found = INVISIBLE.exec(value);
  if (found) {
    const code = found[0].codePointAt(0) ?? 0;
    return `contains U+${code.toString(16).toUpperCase().padStart(4, '0')} at index ${found.index}: whitespace and invisible characters are refused`;
  }
  if (value.normalize('NFC') !== value) return 'is not in Unicode normal form C: it would look like another id';
  return undefined;
}

export function parseUserId(value: unknown): UserId {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, 'user id must be a non-empty string');
  }
  if (value.length > MAX_USER_ID_LENGTH) {
    throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, `user id is longer than ${MAX_USER_ID_LENGTH} characters`);
  }
  const problem = invisibleCharacterProblem(value);
  if (problem !== undefined) throw new AgentwireError(InternalErrorCode.INVALID_CONTEXT, `user id ${problem}`);
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
