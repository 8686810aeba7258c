import type { AuthConfig } from './auth-config';
import type { FieldError } from './field-error';
import type { OAuth2Config } from './modes/oauth2/oauth2-config';

const OAUTH2_ACTIVATION_FIELDS: Record<OAuth2Config['grantType'], ReadonlyArray<keyof OAuth2Config>> = {
  authorization_code: ['authorizationUrl', 'tokenUrl', 'clientId'],
  client_credentials: ['tokenUrl', 'clientId', 'clientSecret'],
};

function missingOAuth2Fields(config: OAuth2Config): FieldError[] {
  return OAUTH2_ACTIVATION_FIELDS[config.grantType]
    .filter((field) => config[field] === undefined)
    .map((field) => ({ path: field, message: `${field} is required to activate` }));
}

/** @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1 (public clients must use PKCE) */
function publicClientWithoutPkce(config: OAuth2Config): FieldError[] {
  const publicClient = config.grantType === 'authorization_code' && config.clientSecret === undefined;
  return publicClient && !config.pkce
    ? [{ path: 'pkce', message: 'pkce must be on for a client without a client secret' }]
    : [];
}

/**
 * What a valid draft still lacks before its connector can be activated (its modes shown to end
 * users). An empty list means it can be activated.
 */
export function activationGaps(config: AuthConfig): FieldError[] {
  switch (config.mode) {
    case 'OAUTH2':
      return [...missingOAuth2Fields(config), ...publicClientWithoutPkce(config)];
    case 'CUSTOM':
      return config.fields.length > 0 ? [] : [{ path: 'fields', message: 'fields needs at least one field to activate' }];
    case 'BASIC':
    case 'API_KEY':
    case 'BEARER':
      return [];
  }
}
