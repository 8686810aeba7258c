import { validateAuthConfig, type OAuth2Config, type OAuth2ConfigInput } from '@cb/auth-modes';
import type { TokenGrant, TokenResult } from '@cb/oauth-client';
import { lifetimeWithoutExpiresIn } from './token-lifetime';

const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const CODE: TokenGrant = { grantType: 'authorization_code', code: 'c', redirectUri: 'https://app.example.com/cb' };
const REFRESH: TokenGrant = { grantType: 'refresh_token', refreshToken: 'r' };
const withRefreshToken: TokenResult = { ok: true, accessToken: 'a', refreshToken: 'r', metadata: {} };
const withoutRefreshToken: TokenResult = { ok: true, accessToken: 'a', metadata: {} };

function config(input: Partial<OAuth2ConfigInput> = {}): OAuth2Config {
  const result = validateAuthConfig({ mode: 'OAUTH2', clientId: 'c', tokenUrl: 'https://auth.example.com/token', authorizationUrl: 'https://auth.example.com/authorize', ...input });
  if (!result.ok || result.value.mode !== 'OAUTH2') throw new Error(JSON.stringify(result.ok ? result.value : result.errors));
  return result.value;
}

describe('lifetimeWithoutExpiresIn', () => {
  const assumed = config({ assumedTokenLifetimeSeconds: 3600 });

  it("takes introspection's exp first, relative to now", () => {
    expect(lifetimeWithoutExpiresIn(assumed, CODE, withRefreshToken, { ok: true, active: true, exp: NOW_SECONDS + 900 }, NOW)).toBe(900);
    expect(lifetimeWithoutExpiresIn(config(), CODE, withoutRefreshToken, { ok: true, active: true, exp: NOW_SECONDS + 900 }, NOW)).toBe(900);
  });

  it('falls back to the assumed lifetime when introspection says nothing usable or was not asked', () => {
    for (const introspection of [undefined, { ok: true, active: true } as const, { ok: true, active: false, exp: NOW_SECONDS + 900 } as const, { ok: true, active: true, exp: NOW_SECONDS - 5 } as const]) {
      expect(lifetimeWithoutExpiresIn(assumed, CODE, withRefreshToken, introspection, NOW)).toBe(3600);
    }
  });

  it('assumes a lifetime only for a token the broker can renew: a refresh token new or kept, or client credentials', () => {
    expect(lifetimeWithoutExpiresIn(assumed, REFRESH, withoutRefreshToken, undefined, NOW)).toBe(3600);
    expect(lifetimeWithoutExpiresIn(config({ assumedTokenLifetimeSeconds: 600, grantType: 'client_credentials', clientSecret: 's' }), { grantType: 'client_credentials' }, withoutRefreshToken, undefined, NOW)).toBe(600);
    expect(lifetimeWithoutExpiresIn(assumed, CODE, withoutRefreshToken, undefined, NOW)).toBeUndefined();
    expect(lifetimeWithoutExpiresIn(config({ assumedTokenLifetimeSeconds: 3600, refreshGrantType: 'none' }), CODE, withRefreshToken, undefined, NOW)).toBeUndefined();
  });

  it('leaves the token without expiry when the connector neither introspects nor assumes (the 401 report path)', () => {
    expect(lifetimeWithoutExpiresIn(config(), CODE, withRefreshToken, undefined, NOW)).toBeUndefined();
  });
});
