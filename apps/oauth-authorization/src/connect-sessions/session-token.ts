import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'cbs_';

/** A session token for the connect UI: 256 random bits; only its SHA-256 is stored. */
export function newSessionToken(): { token: string; hash: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
