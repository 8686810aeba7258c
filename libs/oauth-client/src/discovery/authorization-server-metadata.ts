import { DiscoveryError } from './discovery-error';
import { describe, type DocumentFetcher } from './fetch-document';

/** What a connector needs of an authorization server's metadata (RFC 8414 §2, OpenID Connect Discovery §3). */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  /** Where the document was read. */
  readonly metadataUrl: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly revocationEndpoint?: string;
  readonly introspectionEndpoint?: string;
  readonly registrationEndpoint?: string;
  /** Empty when the server does not publish them. */
  readonly scopesSupported: readonly string[];
  /** `undefined` when the server does not say. */
  readonly codeChallengeMethodsSupported?: readonly string[];
  /** RFC 8414's default when absent: `client_secret_basic`. */
  readonly tokenEndpointAuthMethodsSupported: readonly string[];
  /** `undefined` when the server does not say (RFC 8414 then means `authorization_code` and `implicit`, but servers that omit it often refresh too). */
  readonly grantTypesSupported?: readonly string[];
  /** RFC 9207: the callback carries `iss`. */
  readonly issParameterSupported: boolean;
  readonly clientIdMetadataDocumentSupported: boolean;
}

export interface MetadataRules {
  /** Production: every endpoint must use https. */
  readonly requireHttps: boolean;
  /** MCP servers: a server that does not publish S256 is refused (MCP authorization, PKCE). */
  readonly requireAdvertisedPkce: boolean;
}

/**
 * Where an issuer's metadata may be, in the order the MCP authorization specification tries them:
 * RFC 8414 §3.1's path-inserted `oauth-authorization-server`, OpenID Connect's path-inserted and
 * appended `openid-configuration`.
 */
export function authorizationServerMetadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const urls = [`${url.origin}/.well-known/oauth-authorization-server${path}`];
  if (path !== '') urls.push(`${url.origin}/.well-known/openid-configuration${path}`);
  urls.push(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  return urls;
}

/**
 * The issuer's metadata, or `undefined` when none of its well-known URLs serves a document. A
 * document that is there but wrong (another issuer, plain PKCE only, http endpoints in production)
 * is refused, not passed over.
 */
export async function findAuthorizationServer(issuer: string, fetchDocument: DocumentFetcher, rules: MetadataRules): Promise<AuthorizationServerMetadata | undefined> {
  for (const metadataUrl of authorizationServerMetadataUrls(issuer)) {
    const document = await fetchDocument(metadataUrl);
    if (document.json !== undefined) return parseAuthorizationServerMetadata(document.json, issuer, metadataUrl, rules);
  }
  return undefined;
}

/** @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3 (the issuer must be the one the URL was built from) */
export function parseAuthorizationServerMetadata(document: Record<string, unknown>, issuer: string, metadataUrl: string, rules: MetadataRules): AuthorizationServerMetadata {
  const where = describe(metadataUrl);
  // The same issuer up to a trailing slash (which users add or drop when they paste a URL) is the one the document names.
  if (typeof document.issuer !== 'string' || document.issuer.replace(/\/$/, '') !== issuer.replace(/\/$/, '')) {
    throw new DiscoveryError('issuer_mismatch', `the metadata at ${where} names the issuer ${shown(document.issuer)}, not ${issuer}; a document for another issuer is never used (RFC 8414 §3.3)`);
  }
  const endpoint = (name: string, required: boolean): string | undefined => {
    const value = document[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !URL.canParse(value)) throw new DiscoveryError('invalid_metadata', `the metadata at ${where} has no valid ${name}`);
    const protocol = new URL(value).protocol;
    if (protocol !== 'https:' && (rules.requireHttps || protocol !== 'http:')) throw new DiscoveryError('insecure_endpoint', `the ${name} in the metadata at ${where} must use https`);
    return value;
  };
  const codeChallengeMethods = strings(document, 'code_challenge_methods_supported', where);
  if (codeChallengeMethods !== undefined && !codeChallengeMethods.includes('S256')) {
    throw new DiscoveryError('pkce_unsupported', `the authorization server at ${where} offers PKCE with ${codeChallengeMethods.join(', ') || 'no method'} only; S256 is required`);
  }
  if (codeChallengeMethods === undefined && rules.requireAdvertisedPkce) {
    throw new DiscoveryError('pkce_unsupported', `the authorization server at ${where} does not publish code_challenge_methods_supported; an MCP client must not proceed without S256`);
  }
  const optional = <T>(value: T | undefined, name: string): Record<string, T> => (value === undefined ? {} : { [name]: value });
  return {
    issuer: document.issuer,
    metadataUrl,
    authorizationEndpoint: endpoint('authorization_endpoint', true) as string,
    tokenEndpoint: endpoint('token_endpoint', true) as string,
    ...optional(endpoint('revocation_endpoint', false), 'revocationEndpoint'),
    ...optional(endpoint('introspection_endpoint', false), 'introspectionEndpoint'),
    ...optional(endpoint('registration_endpoint', false), 'registrationEndpoint'),
    scopesSupported: strings(document, 'scopes_supported', where) ?? [],
    ...optional(codeChallengeMethods, 'codeChallengeMethodsSupported'),
    tokenEndpointAuthMethodsSupported: strings(document, 'token_endpoint_auth_methods_supported', where) ?? ['client_secret_basic'],
    ...optional(strings(document, 'grant_types_supported', where), 'grantTypesSupported'),
    issParameterSupported: document.authorization_response_iss_parameter_supported === true,
    clientIdMetadataDocumentSupported: document.client_id_metadata_document_supported === true,
  };
}

export function strings(document: Record<string, unknown>, name: string, where: string): string[] | undefined {
  const value = document[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new DiscoveryError('invalid_metadata', `${name} in the metadata at ${where} must be an array of strings`);
  return value;
}

/** A value of a fetched document, for a message: a string quoted and cut short, anything else named by its type. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : `no string (${value === null ? 'null' : typeof value})`;
}
