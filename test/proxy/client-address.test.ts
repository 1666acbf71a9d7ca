/**
 * The client address behind reverse proxies: a forwarding header is believed only from a peer
 * the operator named, the chain is walked right to left past trusted hops, and a malformed
 * entry never becomes a key an attacker can vary. Example tests pin the cases; property tests
 * say it for any chain.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientAddressResolver, loadConfig, type AddressedRequest, type ForwardedHeader } from 'agentwire/server';

function request(peer: string | undefined, headers: Record<string, string | string[]> = {}): AddressedRequest {
  return { socket: { remoteAddress: peer }, headers };
}

describe('without trusted proxies (the default)', () => {
  const resolver = new ClientAddressResolver();

  it('is the socket peer, whatever the headers say', () => {
    expect(resolver.resolve(request('198.51.100.7', { 'x-forwarded-for': '203.0.113.9' }))).toBe('198.51.100.7');
    expect(resolver.resolve(request('198.51.100.7', { forwarded: 'for=203.0.113.9' }))).toBe('198.51.100.7');
    expect(resolver.resolve(request('::ffff:127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }))).toBe('127.0.0.1');
    expect(resolver.resolve(request(undefined))).toBe('unknown');
  });
});

describe('with trusted proxies', () => {
  const resolver = new ClientAddressResolver({ trustedProxies: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'] });

  it('believes a trusted peer: the last hop it names is the client', () => {
    expect(resolver.resolve(request('10.1.2.3', { 'x-forwarded-for': '203.0.113.9' }))).toBe('203.0.113.9');
    expect(resolver.resolve(request('::ffff:127.0.0.1', { 'x-forwarded-for': '2001:db8::1' }))).toBe('2001:db8::1');
    expect(resolver.resolve(request('fd12::5', { 'x-forwarded-for': '203.0.113.9' }))).toBe('203.0.113.9');
  });

  it('ignores the header of an untrusted peer (a spoof)', () => {
    expect(resolver.resolve(request('198.51.100.7', { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' }))).toBe('198.51.100.7');
    expect(resolver.resolve(request('2001:db8::7', { 'x-forwarded-for': '203.0.113.9' }))).toBe('2001:db8::7');
  });

  it('walks multiple hops right to left, skipping trusted ones; what a client wrote before them is not believed', () => {
    // client-written spoof, the real client, then two trusted proxies
    const chain = '192.0.2.66, 203.0.113.9, 10.0.0.2';
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': chain }))).toBe('203.0.113.9');
    // repeated header lines, in order
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': ['192.0.2.66', '203.0.113.9, 10.0.0.2'] }))).toBe('203.0.113.9');
    // every hop trusted: the farthest one is the client
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '10.9.9.9, 10.0.0.2' }))).toBe('10.9.9.9');
  });

  it('a malformed entry ends the walk at the last hop it could read', () => {
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': 'not-an-ip' }))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': 'garbage, 10.0.0.2' }))).toBe('10.0.0.2');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '203.0.113.9, , 10.0.0.2' }))).toBe('10.0.0.2');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '' }))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '1.2.3.4.5' }))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '[2001:db8::1' }))).toBe('10.0.0.1');
  });

  it('accepts ports, brackets and zone ids, and keys one client once', () => {
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '203.0.113.9:5123' }))).toBe('203.0.113.9');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '[2001:DB8::1]:443' }))).toBe('2001:db8::1');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '::ffff:203.0.113.9' }))).toBe('203.0.113.9');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': 'fe80::1%eth0' }))).toBe('fe80::1');
  });

  it('reads only the configured header: with x-forwarded-for, a Forwarded header is the client\'s own text', () => {
    expect(resolver.resolve(request('10.0.0.1', { forwarded: 'for=192.0.2.66' }))).toBe('10.0.0.1');
  });
});

describe('the Forwarded header (RFC 7239)', () => {
  const resolver = new ClientAddressResolver({ trustedProxies: ['10.0.0.0/8'], forwardedHeader: 'forwarded' });

  it('reads for= from each element, quoted, bracketed, with other parameters', () => {
    expect(resolver.resolve(request('10.0.0.1', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' }))).toBe('192.0.2.60');
    expect(resolver.resolve(request('10.0.0.1', { forwarded: 'for=192.0.2.66, For="[2001:db8:cafe::17]:4711", for=10.0.0.2' }))).toBe('2001:db8:cafe::17');
    expect(resolver.resolve(request('10.0.0.1', { forwarded: 'proto=https;for=203.0.113.9' }))).toBe('203.0.113.9');
  });

  it('an obfuscated or unknown hop is malformed, and X-Forwarded-For is ignored', () => {
    expect(resolver.resolve(request('10.0.0.1', { forwarded: 'for=unknown' }))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', { forwarded: 'for=_hidden, for=10.0.0.3' }))).toBe('10.0.0.3');
    expect(resolver.resolve(request('10.0.0.1', { forwarded: 'proto=https' }))).toBe('10.0.0.1');
    expect(resolver.resolve(request('10.0.0.1', { 'x-forwarded-for': '203.0.113.9' }))).toBe('10.0.0.1');
  });
});

const ipv4 = fc.ipV4();
// An IPv4-mapped IPv6 address of 10/8 is a trusted hop, not a client.
const ipv6 = fc.ipV6().filter((ip) => !new ClientAddressResolver().resolve(request(ip)).startsWith('10.'));
const untrustedV4 = ipv4.filter((ip) => !ip.startsWith('10.'));
const trustedV4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`);
const hop = fc.oneof(ipv4, ipv6, fc.constantFrom('garbage', '', 'unknown', '1.2.3', '[::1'));

describe('properties', () => {
  const trusting = new ClientAddressResolver({ trustedProxies: ['10.0.0.0/8'] });

  it('an untrusted peer is its own address, whatever chain it sends', () => {
    fc.assert(
      fc.property(untrustedV4, fc.array(hop, { maxLength: 8 }), fc.constantFrom<ForwardedHeader>('x-forwarded-for', 'forwarded'), (peer, hops, header) => {
        const resolver = new ClientAddressResolver({ trustedProxies: ['10.0.0.0/8'], forwardedHeader: header });
        const value = header === 'forwarded' ? hops.map((h) => `for="${h}"`).join(', ') : hops.join(', ');
        expect(resolver.resolve(request(peer, { [header]: value }))).toBe(peer);
      }),
    );
  });

  it('the client is the nearest untrusted hop: trusted hops appended after it never change the answer, anything before it never matters', () => {
    fc.assert(
      fc.property(fc.array(hop, { maxLength: 5 }), fc.oneof(untrustedV4, ipv6), fc.array(trustedV4, { maxLength: 5 }), trustedV4, (before, client, proxies, peer) => {
        const chain = [...before, client, ...proxies].join(', ');
        const resolved = trusting.resolve(request(peer, { 'x-forwarded-for': chain }));
        // fast-check's IPv6 may be written in a form that canonicalises differently: compare as keys.
        expect(resolved).toBe(new ClientAddressResolver().resolve(request(client)));
      }),
    );
  });

  it('the answer is always an IP address or the peer', () => {
    fc.assert(
      fc.property(trustedV4, fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }), (peer, hops) => {
        const resolved = trusting.resolve(request(peer, { 'x-forwarded-for': hops.join(',') }));
        expect(resolved === peer || /^[\d.]+$|:/.test(resolved)).toBe(true);
        expect(resolved).not.toMatch(/[\s,;"[\]]/);
      }),
    );
  });
});

describe('the setting', () => {
  it('AGENTWIRE_TRUSTED_PROXIES is a comma-separated list of addresses and CIDRs; nothing by default', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({}).forwardedHeader).toBe('x-forwarded-for');
    expect(loadConfig({ AGENTWIRE_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8', AGENTWIRE_FORWARDED_HEADER: 'Forwarded' })).toMatchObject({
      trustedProxies: ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8'],
      forwardedHeader: 'forwarded',
    });
  });

  it('a malformed entry or header stops start-up naming the variable', () => {
    for (const bad of ['10.0.0.0/33', 'proxy.local', '10.0.0.0/', '::1/129', '1.2.3.4/x']) {
      expect(() => loadConfig({ AGENTWIRE_TRUSTED_PROXIES: bad })).toThrow(/AGENTWIRE_TRUSTED_PROXIES/);
    }
    expect(() => loadConfig({ AGENTWIRE_FORWARDED_HEADER: 'x-real-ip' })).toThrow(/AGENTWIRE_FORWARDED_HEADER/);
  });
});
