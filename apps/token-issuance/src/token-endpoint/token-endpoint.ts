import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { renderOAuth2Urls, UrlTemplateError, type OAuth2Config, type RenderedOAuth2Urls } from '@cb/auth-modes';
import {
  audienceProblem,
  buildIntrospectionRequest,
  buildRevocationRequest,
  buildTokenRequest,
  requestIntrospection,
  requestRevocation,
  requestToken,
  TOKEN_ERROR_CODES,
  type IntrospectionResult,
  type OAuthClient,
  type TokenError,
  type TokenGrant,
  type TokenResult,
  jwtAudiences,
} from '@cb/oauth-client';
import { METRICS, serviceTracer, ServiceMetrics } from '@cb/platform';
import { LoadedConnector } from '../connectors/connector-store';
import type { IssueCredential } from '../credential-vault/credential-vault';
import { CredentialOrigins, StoredCredential } from '../credential-vault/stored-credential';
import { TOKEN_ISSUANCE_CONFIG, TokenIssuanceConfig } from '../token-issuance.config';
import { usesClientCredentials } from './client-credentials';
import { lifetimeWithoutExpiresIn } from './token-lifetime';
import { PROVIDER_GUARD_CODES, ProviderGuard } from './provider-guard';

export interface ConnectionUrlValues {
  tenant?: string | null;
  attributes?: Record<string, string>;
}

/**
 * Calls a connector's token and revocation endpoints with its client authentication method and body
 * format, through the {@link ProviderGuard} (concurrency caps per connector and workspace, a circuit
 * breaker per connector). Never throws for a provider's answer: a {@link TokenError} keeps the
 * provider's code. A token response without `expires_in` gets the lifetime
 * {@link lifetimeWithoutExpiresIn} finds (introspection, then the connector's assumed lifetime).
 * Callers hold no database connection or lock across these calls.
 */
@Injectable()
export class TokenEndpoint {
  private readonly logger = new Logger(TokenEndpoint.name);
  private readonly guard: ProviderGuard;
  /** Provider calls are CLIENT spans of this service's tracer. */
  private readonly tracer: Tracer;
  private readonly callDuration;
  private readonly callErrors;

  constructor(@Inject(TOKEN_ISSUANCE_CONFIG) private readonly config: TokenIssuanceConfig, metrics: ServiceMetrics) {
    this.guard = new ProviderGuard(config.providerGuard);
    this.tracer = serviceTracer(config.serviceName);
    this.callDuration = metrics.histogram(METRICS.providerRequestDuration);
    this.callErrors = metrics.counter(METRICS.providerRequestErrors);
  }

  request(connector: LoadedConnector, values: ConnectionUrlValues, grant: TokenGrant): Promise<TokenResult | TokenError> {
    const { connectorId, workspaceId } = connector.entity;
    return this.measured(connectorId, 'token', () =>
      this.guard.run(connectorId, workspaceId, () => this.requestUnguarded(connector, values, grant), (result) => (result.ok || result.reconnectRequired ? 'working' : 'failing')),
    );
  }

  /** RFC 7009 revocation of `token` at the connector's revocation URL, through the same guard. */
  async revoke(connector: LoadedConnector, revocationUrl: string, token: string, tokenTypeHint: 'refresh_token' | 'access_token'): Promise<{ ok: true } | TokenError> {
    const config = connector.config;
    if (config.mode !== 'OAUTH2' || !config.clientId) return misconfigured('the connector is not an OAuth 2.0 connector with a client ID');
    const clientSecret = connector.clientSecret();
    const request = buildRevocationRequest({
      revocationUrl,
      client: { clientId: config.clientId, ...(clientSecret === undefined ? {} : { clientSecret }), clientAuthMethod: config.clientAuthMethod },
      token,
      tokenTypeHint,
    });
    const { connectorId, workspaceId } = connector.entity;
    return this.measured(connectorId, 'revocation', () =>
      this.guard.run(
        connectorId,
        workspaceId,
        () => requestRevocation(request, { timeoutMs: this.config.tokenRequestTimeoutMs, outbound: this.config.outbound, tracer: this.tracer }),
        (answer) => (answer.ok ? 'working' : 'failing'),
      ),
    );
  }

  /**
   * Times a provider call by connector (the only label a provider call gets: never a connection or
   * workspace) and counts its failures by kind. Calls the guard refused were never sent: counted as
   * `guarded`, not timed.
   */
  private async measured<T extends { ok: true }>(connectorId: string, operation: 'token' | 'revocation', call: () => Promise<T | TokenError>): Promise<T | TokenError> {
    const started = performance.now();
    const result = await call();
    const guarded = !result.ok && (result.code === PROVIDER_GUARD_CODES.busy || result.code === PROVIDER_GUARD_CODES.circuitOpen);
    if (!guarded) this.callDuration.observe({ connector_id: connectorId, operation }, (performance.now() - started) / 1000);
    if (!result.ok) {
      const kind = guarded ? 'guarded' : result.reconnectRequired ? 'reconnect_required' : result.retriable ? 'transient' : 'refused';
      this.callErrors.inc({ connector_id: connectorId, operation, kind });
    }
    return result;
  }

  /** True while the connector's circuit refuses calls on this instance. */
  circuitOpen(connectorId: string): boolean {
    return this.guard.isOpen(connectorId);
  }

  private async requestUnguarded(connector: LoadedConnector, values: ConnectionUrlValues, grant: TokenGrant): Promise<TokenResult | TokenError> {
    const config = connector.config;
    if (config.mode !== 'OAUTH2' || !config.clientId) return misconfigured('the connector is not an OAuth 2.0 connector with a client ID');
    let urls: RenderedOAuth2Urls;
    try {
      urls = renderOAuth2Urls(config, { ...(values.tenant ? { tenant: values.tenant } : {}), attributes: values.attributes ?? {} });
    } catch (error) {
      if (error instanceof UrlTemplateError) return misconfigured(error.message);
      throw error;
    }
    if (!urls.tokenUrl) return misconfigured('the connector has no token URL');
    const clientSecret = connector.clientSecret();
    const client: OAuthClient = { clientId: config.clientId, ...(clientSecret === undefined ? {} : { clientSecret }), clientAuthMethod: config.clientAuthMethod };
    const request = buildTokenRequest({ tokenUrl: urls.tokenUrl, client, grant, format: config.tokenRequestFormat, ...(urls.resource === undefined ? {} : { resource: urls.resource }) });
    const result = await requestToken(request, {
      timeoutMs: this.config.tokenRequestTimeoutMs,
      outbound: this.config.outbound,
      tracer: this.tracer,
      ...(config.tokenResponsePaths ? { responsePaths: config.tokenResponsePaths } : {}),
      metadataPaths: config.metadataPaths,
    });
    if (!result.ok && result.detail !== undefined) this.logger.warn({ connectorId: connector.entity.connectorId, detail: result.detail }, 'token endpoint not reached');
    if (!result.ok) return result;
    const needsLifetime = result.expiresIn === undefined;
    const statedInToken = urls.resource === undefined ? undefined : jwtAudiences(result.accessToken);
    const needsAudience = urls.resource !== undefined && statedInToken === undefined;
    const introspection = urls.introspectionUrl && (needsLifetime || needsAudience) ? await this.introspect(connector, urls.introspectionUrl, client, result.accessToken, needsLifetime) : undefined;
    if (urls.resource !== undefined) {
      const mismatch = this.audienceMismatch(connector, urls.resource, statedInToken ?? (introspection?.active === true ? introspection.aud : undefined));
      if (mismatch !== undefined) return mismatch;
    }
    if (!needsLifetime) return result;
    const expiresIn = lifetimeWithoutExpiresIn(config, grant, result, introspection, new Date());
    return expiresIn === undefined ? result : { ...result, expiresIn };
  }

  /**
   * RFC 8707: a token asked for a resource must be for it, where the server says whom a token is
   * for (a JWT access token's `aud`, else introspection's); an opaque token nobody describes passes.
   */
  private audienceMismatch(connector: LoadedConnector, resource: string, stated: string[] | undefined): TokenError | undefined {
    const problem = stated === undefined ? undefined : audienceProblem(resource, stated);
    if (problem === undefined) return undefined;
    this.logger.warn({ connectorId: connector.entity.connectorId, resource, audiences: stated }, 'the provider issued a token for another audience; it is not used');
    return { ok: false, code: TOKEN_ERROR_CODES.audienceMismatch, description: problem, retriable: false, reconnectRequired: false, ambiguous: false };
  }

  /** The origins a credential obtained now would be bound to; null when the URLs do not render. */
  origins(connector: LoadedConnector, values: ConnectionUrlValues): CredentialOrigins | null {
    const config = connector.config;
    if (config.mode !== 'OAUTH2') return null;
    try {
      const urls = renderOAuth2Urls(config, { ...(values.tenant ? { tenant: values.tenant } : {}), attributes: values.attributes ?? {} });
      return urls.tokenUrl ? { token: new URL(urls.tokenUrl).origin, revocation: urls.revocationUrl ? new URL(urls.revocationUrl).origin : null } : null;
    } catch (error) {
      if (error instanceof UrlTemplateError || error instanceof TypeError) return null;
      throw error;
    }
  }

  /** Asks for the access token's `exp` and audience; a failure leaves the token as it is (it was issued). */
  private async introspect(connector: LoadedConnector, introspectionUrl: string, client: OAuthClient, accessToken: string, forLifetime: boolean): Promise<IntrospectionResult | undefined> {
    const request = buildIntrospectionRequest({ introspectionUrl, client, token: accessToken, tokenTypeHint: 'access_token' });
    const answer = await requestIntrospection(request, { timeoutMs: this.config.tokenRequestTimeoutMs, outbound: this.config.outbound, tracer: this.tracer });
    if (!answer.ok) {
      this.logger.warn(
        { connectorId: connector.entity.connectorId, errorCode: answer.code, detail: answer.detail, httpStatus: answer.status },
        'introspection failed; the assumed lifetime applies, if the connector has one',
      );
      return undefined;
    }
    if (forLifetime && (!answer.active || answer.exp === undefined)) {
      this.logger.warn({ connectorId: connector.entity.connectorId, active: answer.active }, 'introspection gave no expiry; the assumed lifetime applies, if the connector has one');
    }
    return answer;
  }
}

function misconfigured(description: string): TokenError {
  return { ok: false, code: 'connector_misconfigured', description, retriable: false, reconnectRequired: false, ambiguous: false };
}

/** What a token response becomes in the vault. Scopes absent from the answer mean "as requested" (RFC 6749 §3.3). */
export function oauthCredential(result: TokenResult, requestedScopes: readonly string[], now: Date, origins: CredentialOrigins | null, previous?: StoredCredential): StoredCredential & { type: 'oauth2' } {
  const keptRefreshToken = previous?.type === 'oauth2' ? previous.refreshToken : undefined;
  const refreshToken = result.refreshToken ?? keptRefreshToken;
  const boundTo = (previous?.type === 'oauth2' ? previous.origins : undefined) ?? origins;
  return {
    ...(previous?.apiOrigin === undefined ? {} : { apiOrigin: previous.apiOrigin }),
    type: 'oauth2',
    accessToken: result.accessToken,
    tokenType: result.tokenType ?? 'Bearer',
    ...(refreshToken ? { refreshToken } : {}),
    ...(result.idToken ? { idToken: result.idToken } : {}),
    scopes: result.scopes ?? [...requestedScopes],
    expiresAt: result.expiresIn === undefined ? null : new Date(now.getTime() + result.expiresIn * 1000).toISOString(),
    metadata: result.metadata,
    ...(boundTo ? { origins: boundTo } : {}),
  };
}

/** An OAuth credential of this connector as the vault issues it (connect, reconnect or refresh). */
export type IssuedOAuthCredential = Pick<IssueCredential, 'mode' | 'credential' | 'expiresAt' | 'refreshable' | 'refreshMarginSeconds'>;

/**
 * How the vault issues an OAuth credential: its expiry, the connector's refresh margin, and whether
 * the schedule renews it with its refresh token. A client-credentials token never is refreshable:
 * the next one comes from the client credentials themselves, on demand.
 */
export function issuedOAuthCredential(config: OAuth2Config, credential: StoredCredential & { type: 'oauth2' }): IssuedOAuthCredential {
  return {
    mode: 'OAUTH2',
    credential,
    expiresAt: credential.expiresAt,
    refreshable: !usesClientCredentials(config) && config.refreshGrantType === 'refresh_token' && credential.refreshToken !== undefined,
    refreshMarginSeconds: config.refreshMarginSeconds,
  };
}

/**
 * A failure that is the connector's, not one connection's: the provider refused the client
 * (invalid_client, unauthorized_client…), or the token URL answered something that is not a token
 * endpoint (an HTML page, a 404). Only a dead grant (`reconnectRequired`) is a connection's own;
 * transient failures (5xx, 429, timeouts, unreachable) are nobody's fault yet.
 */
export function isConnectorFault(error: TokenError): boolean {
  return !error.retriable && !error.reconnectRequired;
}

/** A sentence a person can read; the provider's code is kept separately. */
export function describeTokenError(error: TokenError): string {
  if (error.code === TOKEN_ERROR_CODES.timeout) return 'The provider did not answer the token request in time. Please try again.';
  if (error.code === TOKEN_ERROR_CODES.networkError) return 'The provider could not be reached for the token request. Please try again.';
  if (error.code === 'invalid_client') return 'The provider rejected the connector\'s client credentials (invalid_client). Check the client ID and secret.';
  if (error.code === 'invalid_grant') return 'The provider rejected the authorization code (invalid_grant). Please connect again.';
  if (error.code === TOKEN_ERROR_CODES.invalidTokenResponse) return 'The provider answered the token request with something that is not a usable token response.';
  if (error.code === TOKEN_ERROR_CODES.audienceMismatch) return 'The provider issued a token for another audience than the resource the connector names (audience_mismatch), so it was not used.';
  if (error.status !== undefined && error.status >= 500) return `The provider failed to issue a token (HTTP ${error.status}). Please try again later.`;
  return `The provider refused to issue a token (${error.code}).`;
}
