import { dueOnDemand, renewalPlan } from './refresh-policy';

const storedAt = new Date('2025-01-01T00:00:00Z');
const at = (s: number): Date => new Date(storedAt.getTime() + s * 1000);

describe('dueOnDemand', () => {
  it('refreshes a short-lived token only in the last quarter of its lifetime', () => {
    const timing = { storedAt, expiresAt: at(8), refreshMarginSeconds: 300 };
    expect(dueOnDemand(timing, at(5.9))).toBe(false);
    expect(dueOnDemand(timing, at(6))).toBe(true);
    expect(dueOnDemand(timing, at(9))).toBe(true);
  });

  it('uses the connector margin for long-lived tokens', () => {
    const timing = { storedAt, expiresAt: at(3600), refreshMarginSeconds: 300 };
    expect(dueOnDemand(timing, at(3299))).toBe(false);
    expect(dueOnDemand(timing, at(3300))).toBe(true);
  });

  it('treats a token without expiry as valid', () => {
    expect(dueOnDemand({ storedAt, expiresAt: null, refreshMarginSeconds: 300 }, at(1e9))).toBe(false);
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
