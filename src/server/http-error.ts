/**
 * How an HTTP handler refuses: throw HttpError and the client gets
 * `{ "error": { "code": "…", "message": "…" } }` with the status. ClientGoneError is not a
 * refusal: the client hung up mid-request, there is no one left to answer, and nothing failed.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (Retry-After of a 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before its request body arrived');
  }
}
