/**
 * The WebSocket surface the client needs: the browser's WebSocket and the `ws` package both
 * fit it, and a test can pass its own (for example one that drops or delays frames).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export const OPEN = 1;

/** The token, or a function that returns a fresh one (called on every connection attempt). */
export type TokenSource = string | (() => string | Promise<string>);

export async function resolveToken(source: TokenSource): Promise<string> {
  return typeof source === 'string' ? source : await source();
}
