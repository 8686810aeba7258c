import type { ProviderTemplate } from './provider-template';

/**
 * Microsoft identity platform (Entra ID) v2. `offline_access` yields a refresh token; refresh
 * tokens rotate on every use and live 90 days.
 *
 * No `issuer`: Entra ID's published metadata does not announce `iss` in authorization responses
 * (RFC 9207), and a connector that names an issuer refuses responses without it. A connector that
 * adds `https://login.microsoftonline.com/{tenant}/v2.0` gets it expanded per connection, with the
 * `common`, `organizations` and `consumers` tenants accepting the user's own tenant id
 * (docs/ARCHITECTURE.md, "Issuer check").
 */
export const microsoft: ProviderTemplate = {
  id: 'microsoft',
  name: 'Microsoft (Entra ID)',
  mode: 'OAUTH2',
  config: {
    mode: 'OAUTH2',
    apiBaseUrl: 'https://graph.microsoft.com',
    authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
    tenantId: 'common',
    authorizationParams: { prompt: 'consent', response_mode: 'query' },
    clientAuthMethod: 'client_secret_post',
    tokenRequestFormat: 'form',
    refreshTokenLifetimeSeconds: 7_776_000,
  },
  defaultScopes: ['openid', 'profile', 'offline_access', 'User.Read'],
  docsUrl: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow',
};
