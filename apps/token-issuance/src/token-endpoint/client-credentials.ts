import type { AuthConfig, OAuth2Config } from '@cb/auth-modes';
import type { ClientCredentialsGrant } from '@cb/oauth-client';

/**
 * A connector whose tokens come from its own client credentials, with no user and no refresh
 * token: a new token is requested whenever the current one is due.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export function usesClientCredentials(config: AuthConfig | null | undefined): config is OAuth2Config & { grantType: 'client_credentials' } {
  return config?.mode === 'OAUTH2' && config.grantType === 'client_credentials';
}

/** The token request of the client credentials grant, for the connector's scopes. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2 */
export function clientCredentialsGrant(config: OAuth2Config): ClientCredentialsGrant {
  return { grantType: 'client_credentials', ...(config.scopes.length ? { scope: config.scopes.join(config.scopeSeparator) } : {}) };
}
