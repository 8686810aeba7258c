/**
 * The state of one simulated authorization server: registered clients, single-use codes bound to
 * their client, redirect URI and PKCE challenge, grants, access tokens and refresh tokens. Each
 * provider profile decides the rules (client authentication, rotation, reuse) and the wire format;
 * this class enforces them and counts what a test needs to know.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Exchange } from './http-exchange';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ServerRules {
  /** The client authentication methods the provider accepts at its token and revocation endpoints. */
  readonly clientAuth: readonly ClientAuthMethod[];
  /** `required`: every authorization request needs an S256 challenge; `supported`: checked when sent; `ignored`: the provider does not do PKCE. */
  readonly pkce: 'required' | 'supported' | 'ignored';
  /** Whether a refresh answers with a new refresh token (the old one then is spent). */
  readonly rotation: 'none' | 'rotate';
  /** What a spent (rotated) refresh token gets: accepted anyway, refused, or refused with the whole grant revoked. */
  readonly reuse: 'accepted' | 'refused' | 'revoke_grant';
  /** A spent refresh token still works this long after its rotation (Atlassian's retry leeway). */
  readonly reuseLeewaySeconds?: number;
  /** Whether revoking a grant (or its refresh token) also kills its live access tokens. */
  readonly revokingGrantKillsAccessTokens: boolean;
  /** `false`: access tokens live until revoked (GitHub OAuth apps). */
  readonly accessTokensExpire?: false;
}

export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}

export interface Grant {
  readonly id: string;
  readonly user: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Anything the profile keeps with the grant (a tenant, a team, an instance). */
  readonly details: Readonly<Record<string, string>>;
  revoked: boolean;
}

export interface IssuedTokens {
  readonly grant: Grant;
  readonly accessToken: string;
  readonly expiresIn: number;
  /** Absent when none was issued this time (no offline access, or a refresh that does not rotate). */
  readonly refreshToken?: string;
}

export interface OAuthFailure {
  readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';
  readonly description: string;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string | undefined;
  readonly user: string;
  readonly scopes: readonly string[];
  readonly offline: boolean;
  readonly details: Readonly<Record<string, string>>;
  readonly expiresAt: number;
  used: boolean;
  grantId?: string;
}

interface AccessTokenRecord {
  readonly grantId: string;
  readonly expiresAt: number;
  revoked: boolean;
}

interface RefreshTokenRecord {
  readonly grantId: string;
  spent: boolean;
  spentAt?: number;
  presentations: number;
}

export interface RevocationRecord {
  readonly tokenTypeHint: string | undefined;
  readonly kind: 'refresh_token' | 'access_token' | 'unknown';
  readonly clientAuth: ClientAuthMethod | 'none';
}

export interface ServerStats {
  readonly codeRedemptions: number;
  readonly refreshGrants: number;
  /** The most times any one refresh token was presented (1 when the client never presents one twice). */
  readonly maxRefreshTokenPresentations: number;
  /** Spent refresh tokens presented again. */
  readonly refreshTokenReuses: number;
  readonly codeReuses: number;
  readonly revocations: readonly RevocationRecord[];
  /** Every client-authentication or protocol error the token endpoint answered, by code. */
  readonly tokenErrors: Readonly<Record<string, number>>;
}

const CODE_LIFETIME_MS = 60_000;

export class AuthorizationServer {
  private readonly clients = new Map<string, RegisteredClient>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly revocations: RevocationRecord[] = [];
  private readonly tokenErrors: Record<string, number> = {};
  private codeRedemptions = 0;
  private refreshGrants = 0;
  private refreshTokenReuses = 0;
  private codeReuses = 0;

  constructor(
    readonly rules: ServerRules,
    /** Seconds each access token lives. */
    readonly accessTokenLifetimeSeconds: number,
    private readonly tokenPrefix: string,
  ) {}

  registerClient(client: RegisteredClient): void {
    this.clients.set(client.clientId, client);
  }

  /** The client named by an authorization request, when its redirect URI is one it registered exactly. */
  clientForRedirect(clientId: string | null, redirectUri: string | null): RegisteredClient | undefined {
    const client = clientId === null ? undefined : this.clients.get(clientId);
    return client && redirectUri !== null && client.redirectUris.includes(redirectUri) ? client : undefined;
  }

  /**
   * Checks the rest of an authorization request (response type, PKCE) and issues a code for the
   * user who (we pretend) logged in and consented.
   */
  authorize(
    query: URLSearchParams,
    consent: { user: string; scopes: readonly string[]; offline: boolean; details?: Record<string, string> },
  ): { code: string } | OAuthFailure {
    if (query.get('response_type') !== 'code') return failure('invalid_request', 'response_type must be code');
    const challenge = query.get('code_challenge');
    const method = query.get('code_challenge_method');
    if (this.rules.pkce === 'required' && challenge === null) return failure('invalid_request', 'code_challenge is required');
    if (this.rules.pkce !== 'ignored' && challenge !== null && method !== 'S256') return failure('invalid_request', 'code_challenge_method must be S256');
    const code = this.token('code');
    this.codes.set(code, {
      clientId: query.get('client_id') ?? '',
      redirectUri: query.get('redirect_uri') ?? '',
      challenge: this.rules.pkce === 'ignored' ? undefined : (challenge ?? undefined),
      user: consent.user,
      scopes: consent.scopes,
      offline: consent.offline,
      details: consent.details ?? {},
      expiresAt: Date.now() + CODE_LIFETIME_MS,
      used: false,
    });
    return { code };
  }

  /**
   * Client authentication at the token or revocation endpoint: exactly one method, one the
   * provider accepts, with the registered secret.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
   */
  authenticateClient(exchange: Exchange): { client: RegisteredClient; method: ClientAuthMethod } | OAuthFailure {
    const basic = parseBasic(exchange.headers.authorization);
    const posted = exchange.params['client_secret'] !== undefined;
    if (basic && posted) return this.countError(failure('invalid_request', 'more than one client authentication method'));
    const method: ClientAuthMethod | undefined = basic ? 'client_secret_basic' : posted ? 'client_secret_post' : undefined;
    if (method === undefined) return this.countError(failure('invalid_client', 'no client authentication'));
    if (!this.rules.clientAuth.includes(method)) return this.countError(failure('invalid_client', `${method} is not accepted here`));
    const clientId = basic ? basic.id : (exchange.params['client_id'] ?? '');
    const secret = basic ? basic.secret : (exchange.params['client_secret'] ?? '');
    const client = this.clients.get(clientId);
    if (!client || !sameSecret(client.clientSecret, secret)) return this.countError(failure('invalid_client', 'unknown client or wrong secret'));
    if (basic && exchange.params['client_id'] !== undefined && exchange.params['client_id'] !== clientId) {
      return this.countError(failure('invalid_client', 'client_id in the body differs from the authenticated client'));
    }
    return { client, method };
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 */
  redeemCode(client: RegisteredClient, params: Readonly<Record<string, string>>): IssuedTokens | OAuthFailure {
    const code = params['code'] ?? '';
    const pending = this.codes.get(code);
    if (!pending || pending.clientId !== client.clientId) return this.countError(failure('invalid_grant', 'unknown authorization code'));
    if (pending.used) {
      // RFC 6749 §4.1.2: a code presented twice revokes what it issued.
      this.codeReuses += 1;
      if (pending.grantId !== undefined) this.revokeGrant(pending.grantId);
      return this.countError(failure('invalid_grant', 'authorization code already used'));
    }
    pending.used = true;
    if (pending.expiresAt < Date.now()) return this.countError(failure('invalid_grant', 'authorization code expired'));
    if (params['redirect_uri'] !== pending.redirectUri) return this.countError(failure('invalid_grant', 'redirect_uri differs from the authorization request'));
    const verifier = params['code_verifier'];
    if (pending.challenge !== undefined && (verifier === undefined || s256(verifier) !== pending.challenge)) {
      return this.countError(failure('invalid_grant', 'PKCE verification failed'));
    }
    const grant: Grant = { id: this.token('grant'), user: pending.user, clientId: client.clientId, scopes: pending.scopes, details: pending.details, revoked: false };
    this.grants.set(grant.id, grant);
    pending.grantId = grant.id;
    this.codeRedemptions += 1;
    return { grant, ...this.issueAccessToken(grant), ...(pending.offline ? { refreshToken: this.issueRefreshToken(grant) } : {}) };
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
  refresh(client: RegisteredClient, params: Readonly<Record<string, string>>): IssuedTokens | OAuthFailure {
    const presented = params['refresh_token'] ?? '';
    const record = this.refreshTokens.get(presented);
    if (!record) return this.countError(failure('invalid_grant', 'unknown refresh token'));
    record.presentations += 1;
    const grant = this.grants.get(record.grantId);
    if (!grant || grant.clientId !== client.clientId) return this.countError(failure('invalid_grant', 'refresh token of another client'));
    if (grant.revoked) return this.countError(failure('invalid_grant', 'the grant has been revoked'));
    if (record.spent) {
      this.refreshTokenReuses += 1;
      const withinLeeway = (record.spentAt ?? 0) + (this.rules.reuseLeewaySeconds ?? 0) * 1000 > Date.now();
      if (this.rules.reuse === 'revoke_grant' && !withinLeeway) this.revokeGrant(grant.id);
      if (this.rules.reuse !== 'accepted' && !withinLeeway) return this.countError(failure('invalid_grant', 'refresh token already used'));
    }
    this.refreshGrants += 1;
    const rotated = this.rules.rotation === 'rotate';
    if (rotated && !record.spent) {
      record.spent = true;
      record.spentAt = Date.now();
    }
    return { grant, ...this.issueAccessToken(grant), ...(rotated ? { refreshToken: this.issueRefreshToken(grant) } : {}) };
  }

  /** @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 (an unknown token is not an error) */
  revokeToken(token: string, tokenTypeHint: string | undefined, clientAuth: ClientAuthMethod | 'none'): void {
    const refresh = this.refreshTokens.get(token);
    const access = this.accessTokens.get(token);
    this.revocations.push({ tokenTypeHint, kind: refresh ? 'refresh_token' : access ? 'access_token' : 'unknown', clientAuth });
    if (refresh) this.revokeGrant(refresh.grantId);
    else if (access) access.revoked = true;
  }

  /** The user removes the app's access at the provider. Answers how many grants ended. */
  revokeGrantsOf(user: string): number {
    const live = [...this.grants.values()].filter((grant) => grant.user === user && !grant.revoked);
    for (const grant of live) this.revokeGrant(grant.id);
    return live.length;
  }

  /** The grant behind a live access token, as a resource server would check it (at `at`, now by default). */
  grantOfAccessToken(token: string, at = Date.now()): Grant | undefined {
    const record = this.accessTokens.get(token);
    if (!record || record.revoked || record.expiresAt <= at) return undefined;
    const grant = this.grants.get(record.grantId);
    if (!grant || (grant.revoked && this.rules.revokingGrantKillsAccessTokens)) return undefined;
    return grant;
  }

  isRefreshTokenLive(token: string): boolean {
    const record = this.refreshTokens.get(token);
    const grant = record ? this.grants.get(record.grantId) : undefined;
    return record !== undefined && grant !== undefined && !grant.revoked && !record.spent;
  }

  stats(): ServerStats {
    const presentations = [...this.refreshTokens.values()].map((record) => record.presentations);
    return {
      codeRedemptions: this.codeRedemptions,
      refreshGrants: this.refreshGrants,
      maxRefreshTokenPresentations: Math.max(0, ...presentations),
      refreshTokenReuses: this.refreshTokenReuses,
      codeReuses: this.codeReuses,
      revocations: [...this.revocations],
      tokenErrors: { ...this.tokenErrors },
    };
  }

  /** An opaque token with the provider's look (`xoxp-`, `gho_`, `00D…!`). */
  token(kind: string): string {
    return `${this.tokenPrefix}${kind}-${randomBytes(18).toString('base64url')}`;
  }

  private issueAccessToken(grant: Grant): { accessToken: string; expiresIn: number } {
    const accessToken = this.token('at');
    const expiresAt = this.rules.accessTokensExpire === false ? Number.POSITIVE_INFINITY : Date.now() + this.accessTokenLifetimeSeconds * 1000;
    this.accessTokens.set(accessToken, { grantId: grant.id, expiresAt, revoked: false });
    return { accessToken, expiresIn: this.accessTokenLifetimeSeconds };
  }

  private issueRefreshToken(grant: Grant): string {
    const refreshToken = this.token('rt');
    this.refreshTokens.set(refreshToken, { grantId: grant.id, spent: false, presentations: 0 });
    return refreshToken;
  }

  private revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant) grant.revoked = true;
  }

  private countError(error: OAuthFailure): OAuthFailure {
    this.tokenErrors[error.error] = (this.tokenErrors[error.error] ?? 0) + 1;
    return error;
  }
}

export function failure(error: OAuthFailure['error'], description: string): OAuthFailure {
  return { error, description };
}

export function isFailure(value: object): value is OAuthFailure {
  return 'error' in value;
}

/** RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined and base64-encoded. */
function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (value: string): string => decodeURIComponent(value.replaceAll('+', ' '));
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
