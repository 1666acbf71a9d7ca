/** Limits of the HTTP server beside /ws. Each has a default here and a setting (see config). */
export interface HttpLimits {
  /**
   * How long a client may take to send its request headers (default 15 s). Node's own default
   * is 60 s; every connection still sending headers holds a socket and a parser.
   */
  headersTimeoutMs: number;
  /**
   * How long a client may take to send its request body once the headers are in (default 30 s);
   * a request that promises a longer body than it sends is answered 408 REQUEST_TIMEOUT and
   * closed. Node closes any request still arriving after headersTimeoutMs + requestTimeoutMs.
   * Only the request is bounded: a streamed answer (AG-UI) and a WebSocket may last longer.
   */
  requestTimeoutMs: number;
  /**
   * How long an idle keep-alive connection stays open between requests (default 5 s). Behind a
   * load balancer that reuses connections, set it above the balancer's idle timeout.
   */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};
