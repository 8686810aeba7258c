/** @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** The client's registration at the authorization server. */
export interface OAuthClient {
  readonly clientId: string;
  /** Absent for a public client, which then identifies itself with `client_id` in the body. */
  readonly clientSecret?: string;
  /** Defaults to `client_secret_basic`, the method every server must support. */
  readonly clientAuthMethod?: ClientAuthMethod;
}

/**
 * Adds client authentication to a token-endpoint request: either an `Authorization: Basic`
 * header or `client_id`/`client_secret` body parameters, never both.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 (public clients send `client_id`)
 */
export function authenticateClient(
  client: OAuthClient,
  params: Record<string, string>,
  headers: Record<string, string>,
): void {
  if (client.clientSecret === undefined) {
    params['client_id'] = client.clientId;
    return;
  }
  if ((client.clientAuthMethod ?? 'client_secret_basic') === 'client_secret_basic') {
    headers['Authorization'] = basicAuthorization(client.clientId, client.clientSecret);
    return;
  }
  params['client_id'] = client.clientId;
  params['client_secret'] = client.clientSecret;
}

/**
 * `Basic base64(urlencode(id) ":" urlencode(secret))`. RFC 6749 form-urlencodes both parts before
 * RFC 7617 joins them, so a secret with `:`, `+`, `%` or spaces still decodes exactly.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const credentials = `${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

/** The `application/x-www-form-urlencoded` byte serializer (WHATWG URL §5.2), space as `+`. */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}
