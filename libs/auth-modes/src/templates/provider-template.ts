import type { AuthMode } from '../auth-mode';
import type { ApiKeyConfigInput } from '../modes/api-key/api-key-config';
import type { BasicConfigInput } from '../modes/basic/basic-config';
import type { BearerConfigInput } from '../modes/bearer/bearer-config';
import type { CustomInputConfigInput } from '../modes/custom/custom-input-config';
import type { OAuth2ConfigInput } from '../modes/oauth2/oauth2-config';

/** The members of an OAuth2 connector that a platform team supplies on top of a template. */
export type TemplateSuppliedMember = 'clientId' | 'clientSecret' | 'scopes';

/** A template's configuration: a connector's, less what the platform team supplies (OAuth2). */
export type TemplateConfig =
  | Omit<OAuth2ConfigInput, TemplateSuppliedMember>
  | BasicConfigInput
  | ApiKeyConfigInput
  | BearerConfigInput
  | CustomInputConfigInput;

/**
 * A cheap "who am I" request that succeeds only with a working credential: `path` is relative to the
 * template's `apiBaseUrl`.
 */
export interface TemplateVerification {
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly path: string;
  readonly expectedStatus: number;
}

/**
 * A known provider's settings, as plain data: one JSON file per provider in `catalogue/`, named
 * after its `id` (see README, "Provider templates").
 */
export interface ProviderTemplate {
  readonly id: string;
  readonly name: string;
  readonly mode: AuthMode;
  readonly config: TemplateConfig;
  /** The scopes an OAuth2 connector made from the template asks for unless told otherwise; empty for other modes. */
  readonly defaultScopes: readonly string[];
  readonly docsUrl: string;
  /** The provider's quirks a connector owner should know: token lifetimes, rotation, where the tenant comes from. */
  readonly notes: string;
  readonly verification?: TemplateVerification;
}
