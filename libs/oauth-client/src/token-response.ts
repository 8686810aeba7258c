import { readPath } from './dot-path';
import { safeDescription } from './redact';
import { readResponseBody, type JsonObject, type JsonValue } from './response-body';
import { invalidTokenResponse, providerError, TOKEN_ERROR_CODES, type TokenError } from './token-error';

/** Where a provider puts the standard members, as dot paths (`authed_user.access_token`). */
export interface TokenResponsePaths {
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly expiresIn?: string;
  readonly scope?: string;
  readonly tokenType?: string;
}

/**
 * A successful token response. `refreshToken` absent means the server issued none this time:
 * keep the one you have. `expiresIn` absent means the server did not say.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface TokenResult {
  readonly ok: true;
  readonly accessToken: string;
  readonly tokenType?: string;
  readonly refreshToken?: string;
  /** Seconds, from a number or a numeric string. */
  readonly expiresIn?: number;
  /** The granted scope, split on spaces or commas; absent means "as requested" (RFC 6749 §3.3). */
  readonly scopes?: string[];
  /** @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponse */
  readonly idToken?: string;
  /** The values named by `metadataPaths`, e.g. Salesforce's `instance_url`. */
  readonly metadata: Record<string, JsonValue>;
}

/** Shorter values are not taken for tokens: a 3-character token would match ordinary text. */
const MIN_TOKEN_LENGTH = 8;

const STANDARD_PATHS: Required<TokenResponsePaths> = {
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  expiresIn: 'expires_in',
  scope: 'scope',
  tokenType: 'token_type',
};

/**
 * Interprets a token endpoint's answer.
 *
 * - JSON or form-encoded bodies (see `readResponseBody`).
 * - `paths` point at nested members. When the configured access-token path finds nothing the
 *   standard top-level names are used for every member: Slack nests the user token in
 *   `authed_user` on the exchange but answers a refresh at top level.
 * - A 2xx answer that carries `error` (or Slack's `ok: false`) is an error; so is HubSpot's
 *   `{ status: 'BAD_REFRESH_TOKEN', message }` on a 4xx.
 * - Errors keep the provider's code; see `TokenError` for what is retriable. A body we cannot read
 *   gives `invalid_token_response`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function parseTokenResponse(
  status: number,
  contentType: string | null,
  bodyText: string,
  paths: TokenResponsePaths = {},
  metadataPaths: Readonly<Record<string, string>> = {},
): TokenResult | TokenError {
  const body = readResponseBody(contentType, bodyText);
  const success = status >= 200 && status < 300;
  if (body === undefined) {
    return invalidTokenResponse(status, success ? 'the token response is not JSON or form-encoded' : `HTTP ${status}`);
  }
  const error = statedError(status, body);
  if (error !== undefined) return error;
  if (!success) return invalidTokenResponse(status, `HTTP ${status} without an OAuth error`);
  return tokenResult(status, body, paths, metadataPaths);
}

function statedError(status: number, body: JsonObject): TokenError | undefined {
  const hubspot = hubspotStatus(status, body);
  if (hubspot !== undefined) return providerError(status, hubspot, safeDescription(body['message'], tokenValues(body)));
  const code = body['error'];
  const slackFailure = body['ok'] === false;
  if (typeof code !== 'string' && !slackFailure) return undefined;
  const description = safeDescription(body['error_description'], tokenValues(body));
  return providerError(status, typeof code === 'string' && code !== '' ? code : TOKEN_ERROR_CODES.providerError, description);
}

/** HubSpot answers token errors with `{ status: 'BAD_REFRESH_TOKEN', message }` and no OAuth `error` member. */
function hubspotStatus(status: number, body: JsonObject): string | undefined {
  const code = body['status'];
  const failed = status >= 400 && body['error'] === undefined;
  return failed && typeof code === 'string' && /^[A-Z][A-Z_]{2,63}$/.test(code) ? code : undefined;
}

function tokenResult(
  status: number,
  body: JsonObject,
  configured: TokenResponsePaths,
  metadataPaths: Readonly<Record<string, string>>,
): TokenResult | TokenError {
  const paths = readPath(body, configured.accessToken ?? STANDARD_PATHS.accessToken) === undefined
    ? STANDARD_PATHS
    : withConfigured(configured);
  const accessToken = readPath(body, paths.accessToken);
  if (typeof accessToken !== 'string' || accessToken === '') {
    return invalidTokenResponse(status, 'the token response has no access token');
  }
  const refreshToken = nonEmptyString(readPath(body, paths.refreshToken));
  const idToken = nonEmptyString(body['id_token']);
  const tokens = [accessToken, ...tokenValues(body), ...(refreshToken === undefined ? [] : [refreshToken])];
  const withoutTokens = <T>(value: T | undefined): T | undefined => (value === undefined || carriesToken(value, tokens) ? undefined : value);
  return {
    ok: true,
    accessToken,
    metadata: metadata(body, metadataPaths, tokens),
    ...optional('tokenType', withoutTokens(nonEmptyString(readPath(body, paths.tokenType)))),
    ...optional('refreshToken', refreshToken),
    ...optional('expiresIn', seconds(readPath(body, paths.expiresIn))),
    ...optional('scopes', withoutTokens(scopes(readPath(body, paths.scope)))),
    ...optional('idToken', idToken),
  };
}

/**
 * True when a value copied out of the response contains a token: metadata and scopes are shown to
 * callers and admins, tokens only through the audited credential read. Connector validation
 * refuses such paths; this also covers connectors saved before it did, and providers that repeat
 * a token under another name.
 */
function carriesToken(value: unknown, tokens: readonly string[]): boolean {
  const text = JSON.stringify(value);
  return tokens.some((token) => token.length >= MIN_TOKEN_LENGTH && text.includes(token));
}

function withConfigured(configured: TokenResponsePaths): Required<TokenResponsePaths> {
  const given = Object.entries(configured).filter(([, path]) => typeof path === 'string');
  return { ...STANDARD_PATHS, ...Object.fromEntries(given) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 (`expires_in` is RECOMMENDED, not REQUIRED) */
function seconds(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? Math.floor(number) : undefined;
}

function scopes(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  if (typeof value !== 'string') return undefined;
  return value.split(/[\s,]+/).filter((scope) => scope !== '');
}

function metadata(body: JsonObject, metadataPaths: Readonly<Record<string, string>>, tokens: readonly string[]): Record<string, JsonValue> {
  const kept: Record<string, JsonValue> = {};
  for (const [name, path] of Object.entries(metadataPaths)) {
    const value = readPath(body, path);
    if (value !== undefined && !carriesToken(value, tokens)) kept[name] = value as JsonValue;
  }
  return kept;
}

/** Every string that could be a token in the body, top level or one level down (Slack's `authed_user`). */
function tokenValues(body: JsonObject): string[] {
  const names = ['access_token', 'refresh_token', 'id_token'];
  const nested = Object.values(body).filter((value): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value));
  return [body, ...nested].flatMap((object) => names.map((name) => object[name]).filter((value): value is string => typeof value === 'string'));
}
