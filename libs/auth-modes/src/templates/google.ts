import type { ProviderTemplate } from './provider-template';

/**
 * Google. A refresh token comes only with `access_type=offline`, and only on first consent unless
 * `prompt=consent`; refresh responses carry none (keep the old one).
 */
export const google: ProviderTemplate = {
  id: 'google',
  name: 'Google',
  mode: 'OAUTH2',
  config: {
    mode: 'OAUTH2',
    apiBaseUrl: 'https://www.googleapis.com',
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revocationUrl: 'https://oauth2.googleapis.com/revoke',
    authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
  },
  defaultScopes: ['openid', 'email', 'profile'],
  docsUrl: 'https://developers.google.com/identity/protocols/oauth2/web-server',
};
