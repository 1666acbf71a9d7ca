import { httpStatusOf, type HttpErrorCode } from '../protocol/error-codes.js';

/**
 * How an HTTP handler refuses: throw HttpError and the client gets
 * `{ "error": { "code": "…", "message": "…" } }` with the status the code table gives the code
 * (src/protocol/error-codes.ts), so a code cannot go out with two statuses. ClientGoneError is
 * not a refusal: the client hung up mid-request, there is no one left to answer, and nothing failed.
 */
export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: HttpErrorCode,
    message: string,
    /** Extra response headers (Retry-After of a 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = httpStatusOf(code);
  }
}

export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before its request body arrived');
  }
}
