/**
 * The address a request came from, for per-address limits. Behind a reverse proxy the socket's
 * peer is the proxy, so every user would share one allowance; the proxy's forwarding header
 * names the client, but anyone can send that header. It is believed only from peers the
 * operator named (`trustedProxies`), and the chain is walked right to left: each trusted hop
 * vouches for the hop before it, and the first untrusted hop is the client. Nothing is believed
 * by default.
 */
import { BlockList, isIP } from 'node:net';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';

/** Which forwarding header the trusted proxies set (only one is read: a proxy passes the other through unchanged). */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

export interface ClientAddressOptions {
  /** Addresses or CIDRs (IPv4 and IPv6) of the proxies whose forwarding header is believed (default none). */
  trustedProxies: readonly string[];
  /** The header those proxies set (default `x-forwarded-for`). */
  forwardedHeader: ForwardedHeader;
}

export const DEFAULT_CLIENT_ADDRESS_OPTIONS: ClientAddressOptions = { trustedProxies: [], forwardedHeader: 'x-forwarded-for' };

/** The parts of a request the resolver reads (an `IncomingMessage` has them). */
export interface AddressedRequest {
  readonly socket: { readonly remoteAddress?: string | undefined };
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Stands in for a peer whose address the socket no longer knows (it closed during the upgrade). */
export const UNKNOWN_ADDRESS = 'unknown';

export class ClientAddressResolver {
  readonly #trusted = new BlockList();
  readonly #header: ForwardedHeader;
  readonly #any: boolean;

  constructor(options: Partial<ClientAddressOptions> = {}) {
    const { trustedProxies, forwardedHeader } = { ...DEFAULT_CLIENT_ADDRESS_OPTIONS, ...options };
    for (const entry of trustedProxies) addTrusted(this.#trusted, entry);
    this.#header = forwardedHeader;
    this.#any = trustedProxies.length > 0;
  }

  /** Whether `address` is one of the trusted proxies. */
  trusts(address: string): boolean {
    const ip = normalizeAddress(address);
    if (ip === undefined) return false;
    return this.#trusted.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address: the socket's peer, or the nearest untrusted hop of a trusted proxy's chain. */
  resolve(request: AddressedRequest): string {
    const peer = normalizeAddress(request.socket.remoteAddress ?? '') ?? UNKNOWN_ADDRESS;
    if (!this.#any || !this.trusts(peer)) return peer;
    const hops = forwardedChain(request.headers[this.#header], this.#header);
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i];
      // A malformed entry ends the walk: the last hop we could read is the best we can vouch for.
      if (hop === undefined) return client;
      client = hop;
      if (!this.trusts(hop)) return hop;
    }
    return client;
  }
}

/**
 * The hops a forwarding header lists, left (farthest) to right (nearest); a malformed entry is
 * `undefined` in its place. Repeated header lines arrive joined by ", ", in order.
 */
export function forwardedChain(value: string | string[] | undefined, header: ForwardedHeader): (string | undefined)[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  if (joined.trim() === '') return [];
  const elements = joined.split(',');
  return elements.map((element) => normalizeAddress(header === 'forwarded' ? forwardedFor(element) : element));
}

/** The `for=` value of one RFC 7239 element (`for=192.0.2.1;proto=https`), unquoted. */
function forwardedFor(element: string): string {
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    const raw = pair.slice(eq + 1).trim();
    return raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  }
  return '';
}

/**
 * A canonical IP address, or undefined when `text` is not one. Accepts `[v6]`, `[v6]:port`,
 * `v4:port` and IPv4-mapped IPv6 (`::ffff:10.0.0.1` is 10.0.0.1, so one client has one key).
 */
export function normalizeAddress(text: string): string | undefined {
  let s = text.trim();
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    const rest = s.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    s = s.slice(1, close);
  } else if (/^[\d.]+:\d{1,5}$/.test(s)) {
    s = s.slice(0, s.indexOf(':'));
  }
  // A zone id (fe80::1%eth0) names an interface, not a different client.
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const version = isIP(s);
  if (version === 4) return s;
  if (version !== 6) return undefined;
  const lower = s.toLowerCase();
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1] !== undefined && isIP(mapped[1]) === 4) return mapped[1];
  return lower;
}

/** Throws the CONFIG error of the first entry that is not an address or CIDR. */
export function checkTrustedProxies(entries: readonly string[]): void {
  const list = new BlockList();
  for (const entry of entries) addTrusted(list, entry);
}

function addTrusted(list: BlockList, entry: string): void {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const ip = normalizeAddress(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) throw invalid(entry);
  const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (slash < 0) {
    list.addAddress(ip, type);
    return;
  }
  const prefix = Number(text.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv6' ? 128 : 32) || text.slice(slash + 1).trim() === '') throw invalid(entry);
  list.addSubnet(ip, prefix, type);
}

function invalid(entry: string): AgentwireError {
  return new AgentwireError(InternalErrorCode.CONFIG, `trusted proxy "${entry}" is not an IP address or CIDR`);
}
