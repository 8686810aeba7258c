import { authenticateClient, type OAuthClient } from './client-authentication';
import { encodeBody } from './request-body';
import type { TokenRequest } from './token-request';

export type TokenTypeHint = 'refresh_token' | 'access_token';

export interface RevocationRequestOptions {
  readonly revocationUrl: string;
  readonly client: OAuthClient;
  readonly token: string;
  /** Send `refresh_token` with a refresh token: revoking it ends the whole grant. */
  readonly tokenTypeHint?: TokenTypeHint;
}

export interface IntrospectionRequestOptions {
  readonly introspectionUrl: string;
  readonly client: OAuthClient;
  readonly token: string;
  readonly tokenTypeHint?: TokenTypeHint;
}

/**
 * Builds a token revocation request. RFC 7009 requires a form-encoded body whatever format the
 * token endpoint takes, with the same client authentication.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export function buildRevocationRequest(options: RevocationRequestOptions): TokenRequest {
  return requestAboutToken(options.revocationUrl, options);
}

/**
 * Builds a token introspection request: form-encoded like revocation, with the client
 * authentication of the token endpoint.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export function buildIntrospectionRequest(options: IntrospectionRequestOptions): TokenRequest {
  return requestAboutToken(options.introspectionUrl, options);
}

function requestAboutToken(url: string, options: { client: OAuthClient; token: string; tokenTypeHint?: TokenTypeHint }): TokenRequest {
  const params: Record<string, string> = { token: options.token };
  if (options.tokenTypeHint !== undefined) params['token_type_hint'] = options.tokenTypeHint;
  const headers: Record<string, string> = { Accept: 'application/json' };
  authenticateClient(options.client, params, headers);
  const { contentType, body } = encodeBody(params, 'form');
  headers['Content-Type'] = contentType;
  return { url, method: 'POST', headers, body };
}
