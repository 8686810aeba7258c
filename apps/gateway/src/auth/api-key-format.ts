import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `cbk_<publicId>_<secret>`: the public id (64 bits, hex) finds the row, the secret (256 bits,
 * base64url) proves possession. Only SHA-256(secret) is stored: the secret has full entropy, so a
 * slow hash adds nothing.
 */
const KEY_FORMAT = /^cbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  publicId: string;
  secret: string;
}

export function generateApiKey(): { key: string; publicId: string; secretHash: Buffer } {
  const publicId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `cbk_${publicId}_${secret}`, publicId, secretHash: hashSecret(secret) };
}

export function parseApiKey(presented: string): ParsedApiKey | undefined {
  const match = KEY_FORMAT.exec(presented);
  return match ? { publicId: match[1] as string, secret: match[2] as string } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant time in the secret; `stored` is undefined for an unknown key, which still costs a comparison. */
export function secretMatches(secret: string, stored: Buffer | undefined): boolean {
  const presented = hashSecret(secret);
  const expected = stored && stored.length === presented.length ? stored : Buffer.alloc(presented.length);
  return timingSafeEqual(presented, expected) && stored !== undefined;
}

export function displayPrefix(publicId: string): string {
  return `cbk_${publicId}`;
}
