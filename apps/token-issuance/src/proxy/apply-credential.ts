import { renderPlacement, type AuthConfig } from '@cb/auth-modes';
import type { StoredCredential } from '../credential-vault/stored-credential';

/** Where a credential goes on a proxied request: headers to set and query parameters to add. */
export interface CredentialPlacement {
  readonly headers: Record<string, string>;
  readonly query: Array<[string, string]>;
}

/**
 * Puts a connection's credential on a proxied request as its connector's mode says: OAuth2 and
 * Bearer as `Authorization: Bearer`, Basic as `Authorization: Basic` (RFC 7617), an API key in its
 * header (with its prefix) or query parameter, Custom Input by its placement templates. `undefined`
 * when the credential lacks something the placement names (or does not match the mode).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function applyCredential(credential: StoredCredential, config: AuthConfig): CredentialPlacement | undefined {
  switch (credential.type) {
    case 'oauth2':
      return { headers: { authorization: `Bearer ${credential.accessToken}` }, query: [] };
    case 'bearer':
      return { headers: { authorization: `Bearer ${credential.token}` }, query: [] };
    case 'basic':
      return { headers: { authorization: `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}` }, query: [] };
    case 'api_key': {
      if (config.mode !== 'API_KEY') return undefined;
      if (config.placement === 'query') return { headers: {}, query: [[config.queryParam, credential.apiKey]] };
      const value = config.prefix === undefined ? credential.apiKey : `${config.prefix} ${credential.apiKey}`;
      return { headers: { [config.headerName.toLowerCase()]: value }, query: [] };
    }
    case 'custom': {
      if (config.mode !== 'CUSTOM' || config.placement === undefined) return undefined;
      const headers: Record<string, string> = {};
      const query: Array<[string, string]> = [];
      for (const [name, template] of Object.entries(config.placement.headers ?? {})) {
        const value = renderPlacement(template, credential.fields);
        if (value === undefined) return undefined;
        headers[name.toLowerCase()] = value;
      }
      for (const [name, template] of Object.entries(config.placement.query ?? {})) {
        const value = renderPlacement(template, credential.fields);
        if (value === undefined) return undefined;
        query.push([name, value]);
      }
      return { headers, query };
    }
  }
}
