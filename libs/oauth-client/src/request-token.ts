import { inProviderSpan, type ProviderOperation } from './provider-span';
import { readResponseBody } from './response-body';
import { safeDescription } from './redact';
import { sendRequest, type SendOptions } from './send-request';
import { invalidTokenResponse, providerError, TOKEN_ERROR_CODES, type TokenError } from './token-error';
import type { TokenRequest } from './token-request';
import { parseTokenResponse, type TokenResponsePaths, type TokenResult } from './token-response';
import { audiences } from './token-audience';

export interface RequestTokenOptions extends SendOptions {
  readonly responsePaths?: TokenResponsePaths;
  readonly metadataPaths?: Readonly<Record<string, string>>;
}

type ProviderAnswer = Exclude<Awaited<ReturnType<typeof sendRequest>>, { ok: unknown }>;

/** Sends one request to a provider endpoint in its span and reads the answer with `parse`; a failure gets the transport's details. */
function exchange<T extends { ok: true }>(operation: ProviderOperation, request: TokenRequest, options: SendOptions, parse: (answer: ProviderAnswer) => T | TokenError): Promise<T | TokenError> {
  return inProviderSpan(options.tracer, operation, request, async (answered) => {
    const answer = await sendRequest(request, options);
    if ('ok' in answer) return answer;
    answered(answer.status);
    const result = parse(answer);
    return result.ok ? result : withTransportDetails(result, request, answer.retryAfterSeconds);
  });
}

/** Parameters whose values are secrets and must never come back in an error description. */
const SECRET_PARAMS = ['code', 'code_verifier', 'refresh_token', 'client_secret', 'token'];

/**
 * Performs a token request built by `buildTokenRequest` and interprets the answer.
 * It never throws: network failures and timeouts come back as a retriable `TokenError`, marked
 * `ambiguous` when the server may have acted on the request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (a code may be used only once)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
 */
export function requestToken(request: TokenRequest, options: RequestTokenOptions): Promise<TokenResult | TokenError> {
  return exchange('token', request, options, (answer) => parseTokenResponse(answer.status, answer.contentType, answer.bodyText, options.responsePaths, options.metadataPaths));
}

/**
 * Performs a revocation request built by `buildRevocationRequest`. Any 2xx is success, including
 * for a token the server no longer knows; 503 asks to retry later.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2
 */
export function requestRevocation(request: TokenRequest, options: SendOptions): Promise<{ ok: true } | TokenError> {
  return exchange('revocation', request, options, (answer) => parseRevocationResponse(answer.status, answer.contentType, answer.bodyText));
}

/**
 * What an introspection endpoint says about a token: whether it is active and, when the server
 * tells, when it expires (`exp`, seconds since the epoch).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export interface IntrospectionResult {
  readonly ok: true;
  readonly active: boolean;
  readonly exp?: number;
  /** The token's audiences, when the server names them. */
  readonly aud?: string[];
}

/**
 * Performs an introspection request built by `buildIntrospectionRequest`. Never throws; an answer
 * without a boolean `active` is an `invalid_token_response`.
 */
export function requestIntrospection(request: TokenRequest, options: SendOptions): Promise<IntrospectionResult | TokenError> {
  return exchange('introspection', request, options, (answer) => parseIntrospectionResponse(answer.status, answer.contentType, answer.bodyText));
}

/** @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2 */
export function parseIntrospectionResponse(status: number, contentType: string | null, bodyText: string): IntrospectionResult | TokenError {
  const body = readResponseBody(contentType, bodyText);
  const code = body?.['error'];
  if (typeof code === 'string' && code !== '') return providerError(status, code, safeDescription(body?.['error_description'], []));
  if (status < 200 || status >= 300) return invalidTokenResponse(status, `HTTP ${status}`);
  const active = body?.['active'];
  if (typeof active !== 'boolean') return invalidTokenResponse(status, 'the introspection response has no boolean active member');
  const exp = epochSeconds(body?.['exp']);
  const aud = audiences(body?.['aud']);
  return { ok: true, active, ...(exp === undefined ? {} : { exp }), ...(aud === undefined ? {} : { aud }) };
}

function epochSeconds(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? Math.floor(number) : undefined;
}

/** @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1 */
export function parseRevocationResponse(status: number, contentType: string | null, bodyText: string): { ok: true } | TokenError {
  if (status >= 200 && status < 300) return { ok: true };
  const body = readResponseBody(contentType, bodyText);
  const code = body?.['error'];
  if (typeof code === 'string' && code !== '') return providerError(status, code, safeDescription(body?.['error_description'], []));
  return invalidTokenResponse(status, `HTTP ${status}`);
}

function withTransportDetails(error: TokenError, request: TokenRequest, retryAfterSeconds: number | undefined): TokenError {
  const secrets = sentSecrets(request);
  const description = safeDescription(error.description, secrets);
  const echoesSecret = secrets.some((secret) => secret.length >= 4 && error.code.includes(secret));
  const details: TokenError = {
    ...error,
    ...(echoesSecret ? { code: TOKEN_ERROR_CODES.providerError } : {}),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
  if (description !== undefined) return { ...details, description };
  const { description: _dropped, ...withoutDescription } = details;
  return withoutDescription;
}

function sentSecrets(request: TokenRequest): string[] {
  const params = readResponseBody(request.headers['Content-Type'] ?? null, request.body) ?? {};
  const inBody = SECRET_PARAMS.map((name) => params[name]).filter((value): value is string => typeof value === 'string');
  return [...inBody, ...basicSecret(request.headers['Authorization'])];
}

function basicSecret(authorization: string | undefined): string[] {
  if (authorization?.startsWith('Basic ') !== true) return [];
  const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
  const encodedSecret = decoded.slice(decoded.indexOf(':') + 1);
  return [new URLSearchParams(`s=${encodedSecret}`).get('s') ?? ''];
}
