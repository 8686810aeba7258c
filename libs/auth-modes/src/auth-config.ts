import type { ApiKeyConfig, ApiKeyConfigInput } from './modes/api-key/api-key-config';
import type { BasicConfig, BasicConfigInput } from './modes/basic/basic-config';
import type { BearerConfig, BearerConfigInput } from './modes/bearer/bearer-config';
import type { CustomInputConfig, CustomInputConfigInput } from './modes/custom/custom-input-config';
import type { OAuth2Config, OAuth2ConfigInput } from './modes/oauth2/oauth2-config';

/** A connector's authentication, validated and with defaults applied; discriminated by `mode`. */
export type AuthConfig = OAuth2Config | BasicConfig | ApiKeyConfig | BearerConfig | CustomInputConfig;

/** What a platform team submits for a connector, before defaults. */
export type AuthConfigInput =
  | OAuth2ConfigInput
  | BasicConfigInput
  | ApiKeyConfigInput
  | BearerConfigInput
  | CustomInputConfigInput;
