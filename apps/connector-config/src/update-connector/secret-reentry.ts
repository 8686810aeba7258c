import type { AuthConfig } from '@cb/auth-modes';
import type { FieldProblem } from '@cb/platform';

const ENDPOINTS = ['authorizationUrl', 'tokenUrl', 'revocationUrl', 'introspectionUrl'] as const;

/**
 * `scheme://authority` of a URL or URL template, lower-cased; compared as text, because a template's
 * host may hold placeholders (`https://{attr.subdomain}.okta.com/...`) that no URL parser accepts.
 */
export function endpointOrigin(url: string | undefined): string | undefined {
  return url === undefined ? undefined : (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? url).toLowerCase();
}

/**
 * The stored client secret goes wherever the token, revocation and introspection endpoints point,
 * and the authorization endpoint decides where users log in. Someone who may edit a connector but
 * does not know its secret must not be able to redirect it (or downgrade how it is sent): moving an
 * endpoint to another origin, or changing the client authentication, needs the secret again, in
 * the same request. Only for a connector that has a stored secret; only OAuth 2.0 has endpoints.
 */
export function secretReentryProblems(before: AuthConfig, after: AuthConfig, submittedSecret: boolean, hasStoredSecret: boolean): FieldProblem[] {
  if (before.mode !== 'OAUTH2' || after.mode !== 'OAUTH2' || submittedSecret || !hasStoredSecret) return [];
  const moved: string[] = ENDPOINTS.filter((name) => endpointOrigin(before[name]) !== endpointOrigin(after[name]));
  if (before.clientAuthMethod !== after.clientAuthMethod) moved.push('clientAuthMethod');
  if (moved.length === 0) return [];
  return [{ path: 'config.clientSecret', message: `must be entered again to change ${moved.map((name) => `config.${name}`).join(', ')}: the stored secret is never sent to a new endpoint origin or with another client authentication without it` }];
}
