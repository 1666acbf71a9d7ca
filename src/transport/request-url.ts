/**
 * The URL of an incoming HTTP or upgrade request. `new URL` throws on request targets such as
 * `//[`, `http://` or `http://[::1/`, which any client can send; thrown in a request or upgrade
 * listener, that exception would take the whole process down. Here it is an answer instead.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}
