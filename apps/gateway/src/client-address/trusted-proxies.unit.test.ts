import express from 'express';
import request from 'supertest';
import { loadGatewayConfig } from '../gateway.config';
import { clientAddressKey } from './client-address-key';
import { parseTrustedProxies } from './trusted-proxies';

describe('parseTrustedProxies', () => {
  it('reads addresses, CIDRs of both families and proxy-addr names', () => {
    const proxies = parseTrustedProxies(' 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32, loopback');
    expect(proxies.entries).toEqual(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', 'loopback']);
    for (const trusted of ['10.255.1.2', '192.0.2.7', '2001:db8:1::5', '127.0.0.1', '127.9.9.9', '::1', '::ffff:10.0.0.1']) expect({ trusted, is: proxies.trust(trusted) }).toEqual({ trusted, is: true });
    for (const untrusted of ['11.0.0.1', '192.0.2.8', '2001:db9::1', '203.0.113.5', 'unknown', '']) expect({ untrusted, is: proxies.trust(untrusted) }).toEqual({ untrusted, is: false });
  });

  it('names the entry it cannot read', () => {
    expect(() => parseTrustedProxies('10.0.0.0/8,proxy.internal')).toThrow('"proxy.internal" is not an IP address, a CIDR');
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow('"10.0.0.0/33" has a prefix length outside 0-32');
    expect(() => parseTrustedProxies('fd00::/129')).toThrow('outside 0-128');
    expect(() => parseTrustedProxies('10.0.0.0/x')).toThrow('"10.0.0.0/x"');
    expect(() => parseTrustedProxies('10.0.0.0/8/1')).toThrow('"10.0.0.0/8/1"');
    expect(() => parseTrustedProxies('fe80::1%eth0')).toThrow('"fe80::1%eth0"');
    expect(() => parseTrustedProxies('10.0.0.1,,10.0.0.2')).toThrow('no empty entry');
  });
});

describe('TRUSTED_PROXIES in the gateway configuration', () => {
  const env = {
    DATABASE_URL: 'postgres://gateway@127.0.0.1:1/none',
    CONNECTOR_CONFIG_URL: 'http://127.0.0.1:3001',
    OAUTH_AUTHORIZATION_URL: 'http://127.0.0.1:3002',
    TOKEN_ISSUANCE_URL: 'http://127.0.0.1:3003',
    INTERNAL_API_TOKEN: 'x'.repeat(32),
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  };

  it('trusts no proxy when unset, and stops the start naming the variable when malformed', () => {
    expect(loadGatewayConfig(env).trustedProxies).toBeNull();
    expect(loadGatewayConfig({ ...env, TRUSTED_PROXIES: '10.0.0.0/8' }).trustedProxies?.entries).toEqual(['10.0.0.0/8']);
    expect(() => loadGatewayConfig({ ...env, TRUSTED_PROXIES: 'proxy.internal' })).toThrow(/TRUSTED_PROXIES: "proxy.internal" is not an IP address/);
  });
});

describe("Express's req.ip with the trusted proxies", () => {
  /** An app that answers with req.ip, trusting `proxies` (or nobody). The test connects from loopback. */
  const clientOf = async (proxies: string | undefined, forwardedFor?: string): Promise<string> => {
    const app = express();
    app.set('trust proxy', proxies === undefined ? false : parseTrustedProxies(proxies).trust);
    app.get('/', (req, res) => void res.send(clientAddressKey(req.ip ?? '')));
    const call = request(app).get('/');
    return (await (forwardedFor === undefined ? call : call.set('X-Forwarded-For', forwardedFor))).text;
  };

  it('ignores X-Forwarded-For without trusted proxies', async () => {
    expect(await clientOf(undefined, '203.0.113.9')).toBe('127.0.0.1');
  });

  it('takes the right-most untrusted address behind trusted proxies, whatever a client puts on the left', async () => {
    expect(await clientOf('127.0.0.1', '203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf('127.0.0.1', '198.51.100.1, 203.0.113.9')).toBe('203.0.113.9');
    expect(await clientOf('127.0.0.1,10.0.0.0/8', '198.51.100.1, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    // the hop before the gateway is not a proxy it trusts: its X-Forwarded-For is not believed
    expect(await clientOf('10.0.0.0/8', '203.0.113.9')).toBe('127.0.0.1');
  });
});

describe('clientAddressKey', () => {
  it('keys IPv4 by address (also when IPv4-mapped) and IPv6 by its /64', () => {
    expect(clientAddressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientAddressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientAddressKey('2001:db8:0a:b::1')).toBe('2001:db8:a:b::/64');
    expect(clientAddressKey('2001:db8:a:b:ffff:1:2:3')).toBe('2001:db8:a:b::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(clientAddressKey('x'.repeat(100))).toHaveLength(64);
  });
});
