import { BlockList, isIP } from 'node:net';

/**
 * The reverse proxies in front of the gateway (`TRUSTED_PROXIES`). Given to Express as its
 * `trust proxy` function, so that `req.ip` is the right-most address of `X-Forwarded-For` that is
 * not one of them (proxy-addr walks from the socket's address leftwards while each hop is trusted).
 * Without it Express trusts nobody and `req.ip` is the socket's address: a caller's own
 * `X-Forwarded-For` changes nothing.
 */
export interface TrustedProxies {
  /** The entries as configured, for logs and docs. */
  readonly entries: readonly string[];
  /** Express's `trust proxy` function: is this hop one of the proxies? */
  readonly trust: (address: string) => boolean;
}

/** proxy-addr's names for the usual ranges, accepted the same way here. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

const ENTRY_HELP = 'an IP address, a CIDR such as 10.0.0.0/8, or one of loopback, linklocal, uniquelocal';

/**
 * Comma-separated addresses and CIDRs (`10.0.0.0/8, 192.0.2.7, ::1`), or proxy-addr's names
 * `loopback`, `linklocal`, `uniquelocal`. Throws naming the first entry it cannot read.
 */
export function parseTrustedProxies(text: string): TrustedProxies {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) throw new Error(`expected a comma-separated list of ${ENTRY_HELP}, with no empty entry; got "${text}"`);
  const list = new BlockList();
  for (const entry of entries) {
    for (const range of NAMED_RANGES[entry] ?? [entry]) addRange(list, range, entry);
  }
  return {
    entries,
    trust: (address) => {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

function addRange(list: BlockList, range: string, entry: string): void {
  const [address = '', prefixText, ...rest] = range.split('/');
  const family = isIP(address);
  if (family === 0 || address.includes('%') || rest.length > 0) throw new Error(`"${entry}" is not ${ENTRY_HELP}`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  const max = family === 6 ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) throw new Error(`"${entry}" has a prefix length outside 0-${max}`);
  list.addSubnet(address, prefix, type);
}
