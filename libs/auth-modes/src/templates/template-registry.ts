import type { AuthConfigInput } from '../auth-config';
import type { OAuth2ConfigInput } from '../modes/oauth2/oauth2-config';
import { CATALOGUE_FILES } from './catalogue';
import type { ProviderTemplate } from './provider-template';

/** The catalogue, by name; the files are checked by the schema test (templates.unit.test.ts). */
const TEMPLATES: readonly ProviderTemplate[] = Object.values(CATALOGUE_FILES)
  .map((file) => {
    const template = file as ProviderTemplate;
    return { ...template, defaultScopes: template.defaultScopes ?? [] };
  })
  .sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id, 'en'));

export interface TemplateCredentials {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The template's `defaultScopes` when omitted. */
  readonly scopes?: readonly string[];
}

/** Raised by {@link configFromTemplate}; `code` is `unknown_template`. */
export class UnknownTemplateError extends Error {
  override readonly name = 'UnknownTemplateError';
  readonly code = 'unknown_template';

  constructor(readonly templateId: string) {
    super(`There is no provider template '${templateId}'`);
  }
}

/** Every provider template, ordered by name. */
export function listTemplates(): readonly ProviderTemplate[] {
  return TEMPLATES;
}

/** The template with this id, or `undefined`. */
export function getTemplate(id: string): ProviderTemplate | undefined {
  return TEMPLATES.find((template) => template.id === id);
}

/**
 * A connector configuration from a template (by id, or a template already merged with a workspace's
 * override) and, for OAuth2, the platform team's client registration; ready for `validateAuthConfig`.
 * Other modes need nothing more: the end user brings the credential.
 *
 * @throws {@link UnknownTemplateError}
 */
export function configFromTemplate(idOrTemplate: string | ProviderTemplate, credentials: TemplateCredentials = {}): AuthConfigInput {
  const template = typeof idOrTemplate === 'string' ? getTemplate(idOrTemplate) : idOrTemplate;
  if (template === undefined) throw new UnknownTemplateError(idOrTemplate as string);
  // the template's "who am I" call becomes the connector's verification request
  const config = { ...structuredClone<AuthConfigInput>(template.config), ...(template.verification === undefined ? {} : { verification: { ...template.verification } }) };
  if (config.mode !== 'OAUTH2') return config;
  const oauth2: OAuth2ConfigInput = {
    ...config,
    ...(credentials.clientId === undefined ? {} : { clientId: credentials.clientId }),
    ...(credentials.clientSecret === undefined ? {} : { clientSecret: credentials.clientSecret }),
    scopes: [...(credentials.scopes ?? template.defaultScopes)],
  };
  return oauth2;
}
