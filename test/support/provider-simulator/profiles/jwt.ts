import { randomBytes } from 'node:crypto';

/** A JWT-shaped ID token with a throwaway signature: the broker stores ID tokens, it does not verify them. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'simulated' })}.${part({ iat: now, exp: now + 3600, ...claims })}.${randomBytes(32).toString('base64url')}`;
}
