import type { OAuth2ConfigInput } from '../modes/oauth2/oauth2-config';
import { atlassian } from './atlassian';
import { github } from './github';
import { google } from './google';
import { hubspot } from './hubspot';
import { microsoft } from './microsoft';
import type { ProviderTemplate } from './provider-template';
import { salesforce } from './salesforce';
import { slack } from './slack';

const TEMPLATES: readonly ProviderTemplate[] = [microsoft, google, slack, github, salesforce, hubspot, atlassian];

export interface TemplateCredentials {
  readonly clientId: string;
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

/** Every provider template, in a stable order. */
export function listTemplates(): readonly ProviderTemplate[] {
  return TEMPLATES;
}

/** The template with this id, or `undefined`. */
export function getTemplate(id: string): ProviderTemplate | undefined {
  return TEMPLATES.find((template) => template.id === id);
}

/**
 * A connector configuration from a template and the platform team's client registration, ready
 * for `validateAuthConfig`.
 *
 * @throws {@link UnknownTemplateError}
 */
export function configFromTemplate(id: string, credentials: TemplateCredentials): OAuth2ConfigInput {
  const template = getTemplate(id);
  if (template === undefined) throw new UnknownTemplateError(id);
  return {
    ...structuredClone(template.config),
    clientId: credentials.clientId,
    ...(credentials.clientSecret === undefined ? {} : { clientSecret: credentials.clientSecret }),
    scopes: [...(credentials.scopes ?? template.defaultScopes)],
  };
}
