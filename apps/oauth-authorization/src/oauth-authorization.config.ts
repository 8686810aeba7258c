import { ConfigReader, fromEnv, ServiceConfig, internalApiTokenReader } from '@cb/platform';

export interface OAuthAuthorizationSettings {
  internalApiToken: string;
  /** The one redirect URI registered at every provider: the gateway's public callback. */
  oauthRedirectUri: string;
  publicBaseUrl: string;
  /** Origins a session's returnUrl may point to, beside PUBLIC_BASE_URL's. */
  allowedReturnOrigins: string[];
  connectSessionTtlSeconds: number;
  oauthStateTtlSeconds: number;
}

export type OAuthAuthorizationConfig = ServiceConfig & OAuthAuthorizationSettings;

export const OAUTH_AUTHORIZATION_CONFIG = Symbol('OAUTH_AUTHORIZATION_CONFIG');

export const oauthAuthorizationReaders: { [K in keyof OAuthAuthorizationSettings]: ConfigReader<OAuthAuthorizationSettings[K]> } = {
  internalApiToken: internalApiTokenReader,
  oauthRedirectUri: fromEnv.url('OAUTH_REDIRECT_URI', ['https:', 'http:']),
  publicBaseUrl: fromEnv.url('PUBLIC_BASE_URL', ['https:', 'http:']),
  allowedReturnOrigins: fromEnv.parsed(
    'ALLOWED_RETURN_ORIGINS',
    (text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((origin) => {
          const url = new URL(origin);
          if (url.origin !== origin.replace(/\/$/, '')) throw new Error(`"${origin}" is not an origin (scheme://host[:port])`);
          return url.origin;
        }),
    ' ',
  ),
  connectSessionTtlSeconds: fromEnv.integer('CONNECT_SESSION_TTL_SECONDS', 1800, { min: 60, max: 86400 }),
  oauthStateTtlSeconds: fromEnv.integer('OAUTH_STATE_TTL_SECONDS', 600, { min: 30, max: 3600 }),
};
