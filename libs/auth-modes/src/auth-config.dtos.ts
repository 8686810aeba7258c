import type { AuthMode } from './auth-mode';
import { ApiKeyConfigDto } from './modes/api-key/api-key-config.dto';
import { BasicConfigDto } from './modes/basic/basic-config.dto';
import { BearerConfigDto } from './modes/bearer/bearer-config.dto';
import { CustomInputConfigDto } from './modes/custom/custom-input-config.dto';
import { OAuth2ConfigDto } from './modes/oauth2/oauth2-config.dto';

/**
 * The request-body class for each mode, e.g. for class-transformer's discriminator:
 * `@Type(() => Object, { discriminator: { property: 'mode', subTypes: Object.entries(AUTH_CONFIG_DTOS)
 * .map(([name, value]) => ({ name, value })) }, keepDiscriminatorProperty: true })`.
 */
export const AUTH_CONFIG_DTOS = {
  OAUTH2: OAuth2ConfigDto,
  BASIC: BasicConfigDto,
  API_KEY: ApiKeyConfigDto,
  BEARER: BearerConfigDto,
  CUSTOM: CustomInputConfigDto,
} as const satisfies Record<AuthMode, new () => object>;
