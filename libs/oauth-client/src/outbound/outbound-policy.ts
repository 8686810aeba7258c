import { BlockList, isIP } from 'node:net';

/**
 * Where token, revocation and introspection requests may go. Connector admins write those URLs,
 * so in production a request must not reach this deployment's own network: loopback, private
 * (RFC 1918), CGNAT, link-local (cloud metadata at 169.254.169.254), unique-local IPv6, and the
 * other special-purpose ranges are refused unless allow-listed. The check runs on the address
 * actually connected to, after DNS resolution, so a name that resolves (or later re-resolves) to
 * an internal address is refused too.
 *
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
export interface OutboundPolicy {
  /** Development: every address is reachable (the sandbox provider listens on localhost). */
  readonly admitInternalAddresses: boolean;
  /** Host names admitted whatever they resolve to (`OUTBOUND_ALLOWED_HOSTS`), lower case. */
  readonly allowedHosts: readonly string[];
  /** Address ranges admitted (`OUTBOUND_ALLOWED_CIDRS`), e.g. `10.20.0.0/16`, `fd00:1::/64`. */
  readonly allowedCidrs: readonly string[];
}

const INTERNAL_IPV4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
];
const INTERNAL_IPV6 = [
  '::/96', '::1/128', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', '2002::/16', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8',
];

/** Internal ranges; IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) match their IPv4 range. */
const INTERNAL = blockList([...INTERNAL_IPV4, ...INTERNAL_IPV6]);
const allowedRanges = new WeakMap<OutboundPolicy, BlockList>();

/** The reason `address` (an IP, as connected to) is refused for `hostname`, or `undefined`. */
export function refusedDestination(policy: OutboundPolicy, hostname: string, address: string): string | undefined {
  if (policy.admitInternalAddresses || hostAllowed(policy, hostname)) return undefined;
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (!INTERNAL.check(address, family)) return undefined;
  if (allowedList(policy).check(address, family)) return undefined;
  return `${hostname} resolves to ${address}, an internal address; allow it with OUTBOUND_ALLOWED_HOSTS or OUTBOUND_ALLOWED_CIDRS`;
}

export function hostAllowed(policy: OutboundPolicy, hostname: string): boolean {
  return policy.allowedHosts.includes(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
}

/** `OUTBOUND_ALLOWED_HOSTS`: a comma-separated list of host names, lower-cased; throws naming the bad one. */
export function parseHostList(text: string): string[] {
  const hosts = items(text).map((host) => host.toLowerCase());
  const bad = hosts.find((host) => !/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(host));
  if (bad !== undefined) throw new Error(`"${bad}" is not a host name; give a comma-separated list such as idp.internal.example,localhost`);
  return hosts;
}

/** `OUTBOUND_ALLOWED_CIDRS`: a comma-separated list of address ranges; throws naming the bad one. */
export function parseCidrList(text: string): string[] {
  const cidrs = items(text);
  for (const cidr of cidrs) {
    const problem = cidrProblem(cidr);
    if (problem !== undefined) throw new Error(`"${cidr}" ${problem}`);
  }
  return cidrs;
}

function items(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** What is wrong with a CIDR, or `undefined`; for configuration readers. */
export function cidrProblem(cidr: string): string | undefined {
  const [address = '', prefix, extra] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return 'must be an address range such as 10.0.0.0/8 or fd00::/8';
  return Number(prefix) > (family === 4 ? 32 : 128) ? `has a prefix longer than ${family === 4 ? 32 : 128}` : undefined;
}

function allowedList(policy: OutboundPolicy): BlockList {
  let list = allowedRanges.get(policy);
  if (list === undefined) {
    list = blockList(policy.allowedCidrs);
    allowedRanges.set(policy, list);
  }
  return list;
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}
