import type { OAuth2Config } from '@cb/auth-modes';
import type { IntrospectionResult, TokenGrant, TokenResult } from '@cb/oauth-client';
import { usesClientCredentials } from './client-credentials';

/**
 * Where the lifetime of a token comes from when its token response has no `expires_in` (RFC 6749
 * §5.1 makes it optional; Salesforce never sends it), in this order:
 *
 * 1. the `exp` that the connector's introspection endpoint reports for it (RFC 7662);
 * 2. the connector's `assumedTokenLifetimeSeconds`, for a token the broker can renew by itself
 *    (a refresh token, or client credentials): it is refreshed before then;
 * 3. none: the token counts as valid until a caller reports a 401 (report-unauthorized).
 *
 * A token that cannot be renewed gets no assumed lifetime: declaring it expired would only end a
 * connection that may still work.
 */
export function lifetimeWithoutExpiresIn(
  config: OAuth2Config,
  grant: TokenGrant,
  result: TokenResult,
  introspection: IntrospectionResult | undefined,
  now: Date,
): number | undefined {
  const fromExp = introspection?.active === true && introspection.exp !== undefined ? introspection.exp - Math.floor(now.getTime() / 1000) : undefined;
  if (fromExp !== undefined && fromExp > 0) return fromExp;
  if (config.assumedTokenLifetimeSeconds !== undefined && isRenewable(config, grant, result)) return config.assumedTokenLifetimeSeconds;
  return undefined;
}

/** Whether the broker can get the next token without the user: client credentials, or a refresh token (new or kept). */
export function isRenewable(config: OAuth2Config, grant: TokenGrant, result: TokenResult): boolean {
  if (usesClientCredentials(config)) return true;
  return config.refreshGrantType === 'refresh_token' && (result.refreshToken !== undefined || grant.grantType === 'refresh_token');
}
