/**
 * A failed token-endpoint call. `code` is the provider's own error code when it sent one
 * (`invalid_grant`, Slack's `invalid_refresh_token`…), else one of {@link TOKEN_ERROR_CODES}.
 * `description` never contains a token, code, verifier or secret.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export interface TokenError {
  readonly ok: false;
  readonly code: string;
  readonly description?: string;
  /**
   * What went wrong below HTTP (`DESTINATION_REFUSED: …`, `ECONNREFUSED: …`), for the logs only:
   * shown to callers it would map the network behind the broker.
   */
  readonly detail?: string;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** A later identical attempt may succeed (5xx, 429, timeouts, network errors). */
  readonly retriable: boolean;
  /** The code or refresh token is dead: the end user must connect again. */
  readonly reconnectRequired: boolean;
  /** From `Retry-After`, when the server sent one. */
  readonly retryAfterSeconds?: number;
  /**
   * The request may have reached the server and been acted on (a timeout or a dropped connection
   * after sending). An ambiguous code exchange must not be retried blindly: servers revoke every
   * token issued from a code that is presented twice.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
   */
  readonly ambiguous: boolean;
}

/** The codes this library gives to failures that carry no provider code. */
export const TOKEN_ERROR_CODES = {
  /** The provider stated an error whose code is not an RFC 6749 error code (see {@link providerErrorCode}). */
  providerError: 'provider_error',
  /** The answer was not a usable token response (no body we can read, no access token). */
  invalidTokenResponse: 'invalid_token_response',
  networkError: 'network_error',
  timeout: 'timeout',
  /** The answer was longer than 64 KiB (`MAX_RESPONSE_BYTES`): the rest was not read, the connection was closed. */
  responseTooLarge: 'response_too_large',
  /** A token asked for a resource (RFC 8707) names another audience. */
  audienceMismatch: 'audience_mismatch',
} as const;

const MAX_ERROR_CODE_LENGTH = 64;
/** `error = 1*NQSCHAR`, NQSCHAR = %x20-21 / %x23-5B / %x5D-7E. */
const ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * A provider's `error` as the broker keeps it (in events, the connection view, the logs): the
 * value itself when it is an RFC 6749 error code of at most 64 characters, otherwise
 * `provider_error`. The value comes from a server the connector's admin chose.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-A.7
 */
export function providerErrorCode(value: string): string {
  return value.length <= MAX_ERROR_CODE_LENGTH && ERROR_CODE.test(value) ? value : TOKEN_ERROR_CODES.providerError;
}

/** The grant itself is gone: the RFC code and Slack's, GitHub's and HubSpot's equivalents (compared in lower case). */
const GRANT_GONE = new Set([
  'invalid_grant',
  'bad_auth_code',
  'invalid_code',
  'code_already_used',
  'code_expired',
  'invalid_refresh_token',
  'bad_verification_code',
  'bad_refresh_token',
  'token_revoked',
  'token_expired',
]);

/** Misconfiguration or a refused request: repeating it gives the same answer. */
const PERMANENT = new Set([
  ...GRANT_GONE,
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_request',
  'access_denied',
  'unsupported_token_type',
  'invalid_client_id',
  'bad_client_secret',
  'incorrect_client_credentials',
  'bad_redirect_uri',
  'invalid_grant_type',
  'bad_client_id',
  'bad_grant_type',
]);

const TRANSIENT = new Set(['temporarily_unavailable', 'server_error', 'slow_down', 'ratelimited', 'rate_limited']);

/**
 * An error the server stated. Its code decides when it is a known one; otherwise the status does:
 * 5xx, 429 and 408 are transient, everything else permanent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function providerError(status: number, stated: string, description?: string): TokenError {
  const code = providerErrorCode(stated);
  const known = code.toLowerCase();
  const retriable = PERMANENT.has(known) ? false : TRANSIENT.has(known) || isTransientStatus(status);
  return {
    ok: false,
    code,
    ...(description === undefined ? {} : { description }),
    status,
    retriable,
    reconnectRequired: GRANT_GONE.has(known),
    ambiguous: false,
  };
}

/**
 * An answer we cannot use. Transient when the status says the server failed (5xx, 429, 408);
 * otherwise permanent, because after a 2xx the server may already have redeemed the code or
 * rotated the refresh token, and repeating the request could get the grant revoked.
 */
export function invalidTokenResponse(status: number, description: string): TokenError {
  return {
    ok: false,
    code: TOKEN_ERROR_CODES.invalidTokenResponse,
    description,
    status,
    retriable: isTransientStatus(status),
    reconnectRequired: false,
    ambiguous: false,
  };
}

/**
 * An answer longer than `limitBytes` (announced by `Content-Length` or found while reading): no
 * token, introspection or revocation response comes near it, so the provider is streaming something
 * else. Judged like any unusable answer ({@link invalidTokenResponse}): transient only when the
 * status says the server failed (a long 503 page); after a 2xx it is the connector's fault, and
 * repeating it is unsafe. Never `reconnectRequired`: the grant may be alive. The description names
 * the limit, never the body.
 */
export function responseTooLarge(status: number, limitBytes: number, retryAfterSeconds?: number): TokenError {
  return {
    ok: false,
    code: TOKEN_ERROR_CODES.responseTooLarge,
    description: `the provider's answer is longer than ${limitBytes} bytes (the limit); it was not read`,
    status,
    retriable: isTransientStatus(status),
    reconnectRequired: false,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    ambiguous: false,
  };
}

export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Narrows a `requestToken` or `parseTokenResponse` result. */
export function isTokenError(value: unknown): value is TokenError {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false && 'code' in value;
}
