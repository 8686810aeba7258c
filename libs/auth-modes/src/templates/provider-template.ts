import type { OAuth2ConfigInput } from '../modes/oauth2/oauth2-config';

/** The members of an OAuth2 connector that a platform team supplies on top of a template. */
export type TemplateSuppliedMember = 'clientId' | 'clientSecret' | 'scopes';

/** A known provider's OAuth2 settings, as plain data. */
export interface ProviderTemplate {
  readonly id: string;
  readonly name: string;
  readonly mode: 'OAUTH2';
  readonly config: Omit<OAuth2ConfigInput, TemplateSuppliedMember>;
  readonly defaultScopes: readonly string[];
  readonly docsUrl: string;
}
