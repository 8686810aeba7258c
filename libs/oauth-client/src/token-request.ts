import { authenticateClient, type OAuthClient } from './client-authentication';
import { encodeBody, type TokenRequestFormat } from './request-body';

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 */
export interface AuthorizationCodeGrant {
  readonly grantType: 'authorization_code';
  readonly code: string;
  /** Exactly the `redirect_uri` of the authorization request. */
  readonly redirectUri: string;
  /** @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5 */
  readonly codeVerifier?: string;
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
export interface RefreshTokenGrant {
  readonly grantType: 'refresh_token';
  readonly refreshToken: string;
  /** Space- (or provider-) separated; omit to keep the granted scope. */
  readonly scope?: string;
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2 */
export interface ClientCredentialsGrant {
  readonly grantType: 'client_credentials';
  readonly scope?: string;
}

export type TokenGrant = AuthorizationCodeGrant | RefreshTokenGrant | ClientCredentialsGrant;

export interface TokenRequestOptions {
  readonly tokenUrl: string;
  readonly client: OAuthClient;
  readonly grant: TokenGrant;
  /** Defaults to `form`. */
  readonly format?: TokenRequestFormat;
  /** The protected resource the token is for. @see https://www.rfc-editor.org/rfc/rfc8707#section-2.2 */
  readonly resource?: string;
}

/**
 * An HTTP request ready to send. Its headers and body carry secrets: never log it.
 */
export interface TokenRequest {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Builds a token-endpoint request for the code exchange, a refresh or client credentials, with
 * the connector's client authentication and body format. It asks for JSON (GitHub otherwise
 * answers form-encoded).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function buildTokenRequest(options: TokenRequestOptions): TokenRequest {
  const params = grantParams(options.grant);
  if (options.resource !== undefined) params.resource = options.resource;
  const headers: Record<string, string> = { Accept: 'application/json' };
  authenticateClient(options.client, params, headers);
  const { contentType, body } = encodeBody(params, options.format ?? 'form');
  headers['Content-Type'] = contentType;
  return { url: options.tokenUrl, method: 'POST', headers, body };
}

function grantParams(grant: TokenGrant): Record<string, string> {
  switch (grant.grantType) {
    case 'authorization_code':
      return {
        grant_type: 'authorization_code',
        code: grant.code,
        redirect_uri: grant.redirectUri,
        ...(grant.codeVerifier === undefined ? {} : { code_verifier: grant.codeVerifier }),
      };
    case 'refresh_token':
      return {
        grant_type: 'refresh_token',
        refresh_token: grant.refreshToken,
        ...(grant.scope === undefined ? {} : { scope: grant.scope }),
      };
    case 'client_credentials':
      return { grant_type: 'client_credentials', ...(grant.scope === undefined ? {} : { scope: grant.scope }) };
  }
}
