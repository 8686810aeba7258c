import type { AuthConfig, AuthConfigInput } from './auth-config';
import { withApiKeyDefaults } from './modes/api-key/api-key-config';
import { withBasicDefaults } from './modes/basic/basic-config';
import { withCustomInputDefaults } from './modes/custom/custom-input-config';
import { withOAuth2Defaults } from './modes/oauth2/oauth2-config';

export function withDefaults(input: AuthConfigInput): AuthConfig {
  switch (input.mode) {
    case 'OAUTH2':
      return withOAuth2Defaults(input);
    case 'BASIC':
      return withBasicDefaults(input);
    case 'API_KEY':
      return withApiKeyDefaults(input);
    case 'BEARER':
      return input;
    case 'CUSTOM':
      return withCustomInputDefaults(input);
  }
}
