import type { AuthConfig } from '@cb/auth-modes';

/** Every mode but OAuth's client credentials has an end user in a dialog who can be asked for attributes. */
export function asksEndUser(config: AuthConfig): boolean {
  return config.mode !== 'OAUTH2' || config.grantType === 'authorization_code';
}

/** The connector's required attributes a session does not have yet, in the connector's order. */
export function missingAttributes(config: AuthConfig | undefined, attributes: Readonly<Record<string, string>>): string[] {
  return (config?.requiredAttributes ?? []).filter((attribute) => !attributes[attribute.key]).map((attribute) => attribute.key);
}
