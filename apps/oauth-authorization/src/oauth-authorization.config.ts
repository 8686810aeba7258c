import { ConfigReader, fromEnv, internalApiTokenReader, loadServiceConfig, ServiceConfig } from '@cb/platform';

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

/** Injection token for oauth-authorization's validated {@link OAuthAuthorizationConfig}. */
export const OAUTH_AUTHORIZATION_CONFIG = Symbol('OAUTH_AUTHORIZATION_CONFIG');

/** oauth-authorization seals PKCE verifiers and sends CodeReceived: it needs the vault keys and Kafka. */
export function loadOAuthAuthorizationConfig(env: NodeJS.ProcessEnv = process.env): OAuthAuthorizationConfig {
  return loadServiceConfig<OAuthAuthorizationSettings>('oauth-authorization', 3002, oauthAuthorizationReaders, env);
}

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
