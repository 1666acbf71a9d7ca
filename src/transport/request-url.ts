/**
 * The URL of an incoming HTTP or upgrade request. The request target is a path (origin-form),
 * so it is appended to a fixed origin rather than resolved against one: resolved, `//x/y`
 * would read as a host `x` and path `/y`. `new URL` also throws on targets such as `http://[`,
 * which any client can send; thrown in a request or upgrade listener, that exception would take
 * the whole process down. Here it is an answer (undefined → 400) instead.
 */
const ORIGIN = 'http://localhost';

export function requestUrl(target: string | undefined): URL | undefined {
  const path = target ?? '/';
  // Absolute-form (`GET http://host/path`) is for proxies; an origin server may refuse it.
  if (!path.startsWith('/')) return undefined;
  try {
    return new URL(ORIGIN + path);
  } catch {
    return undefined;
  }
}
