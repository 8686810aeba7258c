import type { ProviderTemplate } from './provider-template';

/**
 * GitHub (OAuth apps and GitHub Apps' user tokens). The token endpoint answers form-encoded unless
 * asked for JSON; the token request asks (`Accept: application/json`) and the parser reads both.
 * OAuth-app tokens do not expire; GitHub App user tokens expire and come with a refresh token.
 */
export const github: ProviderTemplate = {
  id: 'github',
  name: 'GitHub',
  mode: 'OAUTH2',
  config: {
    mode: 'OAUTH2',
    apiBaseUrl: 'https://api.github.com',
    authorizationUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
    clientAuthMethod: 'client_secret_post',
  },
  defaultScopes: ['read:user'],
  docsUrl: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
};
