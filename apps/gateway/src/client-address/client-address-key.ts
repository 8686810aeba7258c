import { isIP } from 'node:net';

/**
 * The bucket key of a client address (`req.ip`, after the trusted proxies): an IPv4 address as it
 * is (also when written IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address by its /64, the block a
 * single subscriber gets (one host can take any address in it, so a bucket per address would not
 * hold it back). Anything else (a trusted proxy forwarding garbage) is cut to 64 characters.
 */
export function clientAddressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mapped !== undefined && isIP(mapped) === 4) return mapped;
  const family = isIP(address);
  if (family === 4) return address;
  if (family === 6) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return address.slice(0, 64);
}

/** The eight groups of a valid IPv6 address, without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const split = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap(groupsOf));
  const before = split(head);
  const after = tail === undefined ? [] : split(tail);
  const zeros = Array.from({ length: 8 - before.length - after.length }, () => '0');
  return [...before, ...zeros, ...after];
}

/** A group, or the two groups an embedded IPv4 address stands for. */
function groupsOf(group: string): string[] {
  if (!group.includes('.')) return [parseInt(group, 16).toString(16)];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
