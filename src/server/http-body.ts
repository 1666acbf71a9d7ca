/**
 * Reading a JSON request body, bounded three ways: in bytes (413 TOO_LARGE), in nesting depth
 * before it is parsed (400 INVALID_MESSAGE, the same bound and function as WebSocket frames),
 * and in time (408 REQUEST_TIMEOUT). A client that hangs up mid-body is not an error.
 */
import type { IncomingMessage } from 'node:http';
import { MAX_NESTING_DEPTH, nestsDeeperThan } from '../protocol/json-depth.js';
import { DEFAULT_HTTP_LIMITS } from './http-limits.js';
import { ClientGoneError, HttpError } from './http-error.js';

export interface BodyLimits {
  maxBytes: number;
  /** Deepest nesting of arrays and objects (TransportLimits.maxJsonDepth). */
  maxJsonDepth: number;
  /** How long the body may take to arrive, from the handler's first read (HttpLimits.requestTimeoutMs). */
  timeoutMs: number;
}

/** Defaults for a reader that is not told otherwise: bounded all the same. Pass the settings. */
const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 16 * 1024, maxJsonDepth: MAX_NESTING_DEPTH, timeoutMs: DEFAULT_HTTP_LIMITS.requestTimeoutMs };

export async function readJsonBody(req: IncomingMessage, settings: Partial<BodyLimits> = {}): Promise<unknown> {
  const limits: BodyLimits = { ...DEFAULT_BODY_LIMITS, ...settings };
  const text = await readBody(req, limits);
  // Before JSON.parse: a deep body costs the parse, not this scan (see json-depth.ts).
  if (nestsDeeperThan(text, limits.maxJsonDepth)) {
    throw new HttpError('INVALID_MESSAGE', `request body nests arrays or objects deeper than ${limits.maxJsonDepth} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError('INVALID_MESSAGE', 'request body is not valid JSON');
  }
}

function readBody(req: IncomingMessage, limits: BodyLimits): Promise<string> {
  const declared = Number(req.headers['content-length']);
  // A promise of too much is refused before a byte of it is read.
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.reject(tooLarge(limits.maxBytes));
  // The client may have hung up while an earlier step (the rate gate's token check) ran: its
  // 'close' has fired already and would never reach the listeners below.
  if (!req.complete && (req.destroyed || req.socket.destroyed)) return Promise.reject(new ClientGoneError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) finish(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    // An aborted upload surfaces as 'error' (ECONNRESET "aborted") and/or 'close' before 'end'.
    const onError = (): void => finish(new ClientGoneError());
    const onClose = (): void => {
      if (!req.complete) finish(new ClientGoneError());
    };
    const timer = setTimeout(() => {
      finish(new HttpError('REQUEST_TIMEOUT', `request body did not arrive within ${limits.timeoutMs} ms`));
    }, limits.timeoutMs);
    timer.unref();
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError('TOO_LARGE', `request body over ${maxBytes} bytes`);
}
