/**
 * Every code on the wire, as named constants. They are views of the one table in
 * error-codes.ts; close codes are in close-codes.ts.
 */
export { CloseCode } from './close-codes.js';
export {
  ERROR_CODES,
  ErrorCode,
  AgentErrorCode,
  DeathCause,
  httpStatusOf,
  type AgentwireCode,
  type CodeOn,
  type CodeSpec,
  type CodeSurface,
  type HttpErrorCode,
} from './error-codes.js';
