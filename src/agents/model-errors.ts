/**
 * Turns whatever a model call failed with into an AgentRunError with a stable code, once, at
 * the boundary between the AI SDK and the engine. The codes are AgentErrorCode's provider codes;
 * the message says what the provider said, never the request (which may carry the user's data).
 */
import { APICallError, RetryError } from 'ai';
import { AgentErrorCode } from '../protocol/codes.js';
import { AgentRunError } from '../engine/define-agent.js';
import { errorMessage } from '../errors/agentwire-error.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Normalises a model failure. `attempts` is how many requests were made, when retries ran. */
export function classifyModelError(error: unknown): AgentRunError {
  if (error instanceof AgentRunError) return error;
  if (RetryError.isInstance(error)) {
    const last = classifyModelError(error.lastError);
    return new AgentRunError(last.code, `${last.message} (after ${error.errors.length} attempts)`, { cause: error });
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status === undefined) return new AgentRunError(AgentErrorCode.PROVIDER_UNREACHABLE, `the model provider could not be reached: ${error.message}`, { cause: error });
    if (status === 429) return new AgentRunError(AgentErrorCode.RATE_LIMITED, `the model provider rate-limited the request: ${error.message}`, { cause: error });
    if (status === 401 || status === 403) return new AgentRunError(AgentErrorCode.PROVIDER_AUTH, `the model provider refused the credentials (${status}): ${error.message}`, { cause: error });
    return new AgentRunError(AgentErrorCode.PROVIDER_ERROR, `the model provider answered ${status}: ${error.message}`, { cause: error });
  }
  if (isNetworkFailure(error)) {
    return new AgentRunError(AgentErrorCode.PROVIDER_UNREACHABLE, `the connection to the model provider failed: ${errorMessage(error)}`, { cause: error });
  }
  // An error chunk inside the stream arrives as the provider's own object: { message, type, code }.
  return new AgentRunError(AgentErrorCode.PROVIDER_ERROR, `the model provider failed: ${providerMessage(error)}`, { cause: error });
}

/** A socket-level failure anywhere in the cause chain (undici wraps them in "fetch failed" / "terminated"). */
function isNetworkFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (current instanceof TypeError && (current.message === 'terminated' || current.message === 'fetch failed')) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function providerMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    return JSON.stringify(error).slice(0, 500);
  }
  return String(error);
}
