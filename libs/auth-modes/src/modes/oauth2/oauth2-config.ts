import { listPlaceholders } from '../../url/url-template';
import type { VerificationRequest } from '../../verification/verification';

export const OAUTH2_GRANT_TYPES = ['authorization_code', 'client_credentials'] as const;
/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4 */
export type OAuth2GrantType = (typeof OAUTH2_GRANT_TYPES)[number];

export const REFRESH_GRANT_TYPES = ['refresh_token', 'none'] as const;
/** `none`: the provider issues no refresh tokens; a new token needs a new grant. */
export type RefreshGrantType = (typeof REFRESH_GRANT_TYPES)[number];

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
/** @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 */
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export const TOKEN_REQUEST_FORMATS = ['form', 'json'] as const;
/** `form` is the RFC's `application/x-www-form-urlencoded`; a few providers want JSON instead. */
export type TokenRequestFormat = (typeof TOKEN_REQUEST_FORMATS)[number];

export const SCOPE_SEPARATORS = [' ', ','] as const;
/** @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3 (space; Slack and others use commas) */
export type ScopeSeparator = (typeof SCOPE_SEPARATORS)[number];

/** A value the end user enters when connecting, usable in URLs as `{attr.<key>}`. */
export interface RequiredAttribute {
  readonly key: string;
  readonly label: string;
  readonly description?: string;
  /** A regular expression (JavaScript, `u` flag) the whole value must match. */
  readonly pattern?: string;
}

/** Where a provider puts the standard token response members, as dot paths into its JSON. */
export interface TokenResponsePaths {
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly expiresIn?: string;
  readonly scope?: string;
  readonly tokenType?: string;
}

/**
 * An OAuth 2.0 connector: the authorization leg (redirect and consent) and the token leg
 * (exchange, refresh, revocation). This is the validated shape, defaults applied.
 *
 * `authorizationUrl`, `tokenUrl`, `revocationUrl`, `introspectionUrl` and `issuer` may contain `{tenant}`
 * and `{attr.<key>}`
 * placeholders (see `renderUrl`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749
 * @see https://www.rfc-editor.org/rfc/rfc9700
 */
export interface OAuth2Config {
  readonly mode: 'OAUTH2';
  /** Required to activate an `authorization_code` connector. */
  readonly authorizationUrl?: string;
  /** Required to activate. */
  readonly clientId?: string;
  /** Write-only: stored encrypted, shown as `{ isSet }`. Optional for public clients using PKCE. */
  readonly clientSecret?: string;
  /** Asked for on every authorization request. */
  readonly scopes: readonly string[];
  /** Scopes a connect session may ask for beyond `scopes` (incremental consent); nothing else may be asked for. */
  readonly optionalScopes?: readonly string[];
  readonly scopeSeparator: ScopeSeparator;
  /** The authorization request parameter that carries the scopes; Slack user tokens use `user_scope`. */
  readonly scopeParam: string;
  /** Extra authorization request parameters such as `prompt=consent` or `access_type=offline`. */
  readonly authorizationParams: Readonly<Record<string, string>>;
  readonly requiredAttributes: readonly RequiredAttribute[];
  /** The `{tenant}` used when a connection names none; `common` when a URL uses `{tenant}`. */
  readonly tenantId?: string;
  readonly grantType: OAuth2GrantType;
  /** Required to activate. */
  readonly tokenUrl?: string;
  readonly refreshGrantType: RefreshGrantType;
  readonly clientAuthMethod: ClientAuthMethod;
  readonly tokenRequestFormat: TokenRequestFormat;
  /** PKCE with S256; switch it off only for a provider that rejects it. @see https://www.rfc-editor.org/rfc/rfc7636 */
  readonly pkce: boolean;
  /** @see https://www.rfc-editor.org/rfc/rfc7009 */
  readonly revocationUrl?: string;
  /**
   * Token introspection, asked for the access token's `exp` when a token response has no
   * `expires_in`; same client authentication as the token endpoint.
   * @see https://www.rfc-editor.org/rfc/rfc7662
   */
  readonly introspectionUrl?: string;
  /**
   * The authorization server's issuer identifier, with the same placeholders as the URLs (a realm or
   * tenant in its path). When set, the callback must carry `iss` equal to it once expanded for the
   * connection (mix-up defence); set it only for servers that send `iss`. Microsoft's `common`,
   * `organizations` and `consumers` tenants accept the user's own tenant id in its place.
   * @see https://www.rfc-editor.org/rfc/rfc9207
   */
  readonly issuer?: string;
  /**
   * The protected resource the tokens are for (an MCP server's URL): sent as `resource` on the
   * authorization request and every token request, so that the server issues tokens whose audience
   * is that resource and nothing else. Same placeholders as the URLs.
   * @see https://www.rfc-editor.org/rfc/rfc8707
   */
  readonly resource?: string;
  readonly tokenResponsePaths?: TokenResponsePaths;
  /** Token response values kept with the credential, by name, e.g. `{ instance_url: 'instance_url' }`. */
  readonly metadataPaths: Readonly<Record<string, string>>;
  /** Refresh this many seconds before the access token expires. */
  readonly refreshMarginSeconds: number;
  /** How long the provider's refresh tokens live, when it says so in its documentation only. */
  readonly refreshTokenLifetimeSeconds?: number;
  /**
   * How long a renewable access token is taken to live when the token response has no `expires_in`
   * and introspection gives no `exp` (Salesforce): the broker refreshes it before then. Without it
   * such a token counts as valid until a caller reports a 401.
   */
  readonly assumedTokenLifetimeSeconds?: number;
  /**
   * Where the proxy sends a connection's API calls; same placeholders as the other URLs, and it may
   * start with `{metadata.<key>}`, an origin kept from the token response (Salesforce's `instance_url`).
   */
  readonly apiBaseUrl?: string;
  /** A request on the API that checks a new access token after the code exchange, when it says `afterOAuthExchange`. */
  readonly verification?: VerificationRequest;
}

type Defaulted =
  | 'scopes'
  | 'scopeSeparator'
  | 'scopeParam'
  | 'authorizationParams'
  | 'requiredAttributes'
  | 'grantType'
  | 'refreshGrantType'
  | 'clientAuthMethod'
  | 'tokenRequestFormat'
  | 'pkce'
  | 'metadataPaths'
  | 'refreshMarginSeconds';

/** What a platform team submits: {@link OAuth2Config} with every defaulted member optional. */
export type OAuth2ConfigInput = Omit<OAuth2Config, Defaulted> & Partial<Pick<OAuth2Config, Defaulted>>;

export const DEFAULT_TENANT = 'common';

/**
 * The scopes of an authorization request that asks for `requested` on top of the connector's
 * defaults, in order and without repeats; `notAllowed` lists what is neither a default nor one of
 * the connector's `optionalScopes`.
 */
export function scopesFor(config: Pick<OAuth2Config, 'scopes' | 'optionalScopes'>, requested: readonly string[]): { scopes: string[]; notAllowed: string[] } {
  const allowed = new Set([...config.scopes, ...(config.optionalScopes ?? [])]);
  const notAllowed = [...new Set(requested.filter((scope) => !allowed.has(scope)))];
  return { scopes: [...new Set([...config.scopes, ...requested])], notAllowed };
}
export const DEFAULT_REFRESH_MARGIN_SECONDS = 300;

export function withOAuth2Defaults(input: OAuth2ConfigInput): OAuth2Config {
  const grantType = input.grantType ?? 'authorization_code';
  const config: OAuth2Config = {
    ...input,
    scopes: input.scopes ?? [],
    scopeSeparator: input.scopeSeparator ?? ' ',
    scopeParam: input.scopeParam ?? 'scope',
    authorizationParams: input.authorizationParams ?? {},
    requiredAttributes: input.requiredAttributes ?? [],
    grantType,
    refreshGrantType: input.refreshGrantType ?? (grantType === 'client_credentials' ? 'none' : 'refresh_token'),
    clientAuthMethod: input.clientAuthMethod ?? 'client_secret_basic',
    tokenRequestFormat: input.tokenRequestFormat ?? 'form',
    pkce: input.pkce ?? true,
    metadataPaths: input.metadataPaths ?? {},
    refreshMarginSeconds: input.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS,
  };
  if (config.tenantId === undefined && usesTenant(config)) return { ...config, tenantId: DEFAULT_TENANT };
  return config;
}

export function oauth2Urls(config: OAuth2ConfigInput): Array<{ field: 'authorizationUrl' | 'tokenUrl' | 'revocationUrl' | 'introspectionUrl' | 'resource'; url: string }> {
  const fields = ['authorizationUrl', 'tokenUrl', 'revocationUrl', 'introspectionUrl', 'resource'] as const;
  return fields.flatMap((field) => {
    const url = config[field];
    return url === undefined ? [] : [{ field, url }];
  });
}

function usesTenant(config: OAuth2ConfigInput): boolean {
  const templates = [...oauth2Urls(config).map(({ url }) => url), ...(config.issuer === undefined ? [] : [config.issuer])];
  return templates.some((template) => listPlaceholders(template).includes('tenant'));
}
