import { isRefreshDue } from '@cb/refresh-policy';
import { renewalPlan, tokenLifetime } from './refresh-policy';

const storedAt = new Date('2025-01-01T00:00:00Z');
const at = (s: number): Date => new Date(storedAt.getTime() + s * 1000);

describe('tokenLifetime', () => {
  it('measures the lifetime from when the credential was stored, so a read finds a short-lived token due at half-life', () => {
    const lifetime = tokenLifetime({ updatedAt: storedAt, expiresAt: at(8), refreshMarginSeconds: 300 });
    expect(isRefreshDue(lifetime, at(3.9))).toBe(false);
    expect(isRefreshDue(lifetime, at(4))).toBe(true);
  });
});

describe('renewalPlan', () => {
  const credential = { type: 'oauth2' as const, accessToken: 'a', tokenType: 'Bearer', scopes: [], expiresAt: null, metadata: {} };
  const config = { grantType: 'authorization_code', refreshGrantType: 'refresh_token', scopes: [], scopeSeparator: ' ' } as never;

  it('uses the refresh token grant', () => {
    expect(renewalPlan(config, { ...credential, refreshToken: 'r' })).toEqual({ grant: { grantType: 'refresh_token', refreshToken: 'r' } });
  });

  it('cannot renew without a refresh token or with refresh grant none', () => {
    expect(renewalPlan(config, credential)).toEqual({ impossible: 'no_refresh_token' });
    expect(renewalPlan({ ...(config as object), refreshGrantType: 'none' } as never, { ...credential, refreshToken: 'r' })).toEqual({ impossible: 'refresh_not_supported' });
  });
});
