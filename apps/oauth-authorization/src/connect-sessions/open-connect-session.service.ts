import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { scopesFor, validateRequiredAttributes, UrlTemplateError, type AuthConfig, type OAuth2Config } from '@cb/auth-modes';
import { CredentialsSubmitted } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { notFound, validationFailed } from '@cb/platform';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { OAuth2AuthorizationLeg } from '../authorization-url/oauth2-authorization-leg.adapter';
import { ConnectorEntity } from '../connectors/connector.entity';
import { OAUTH_AUTHORIZATION_CONFIG, OAuthAuthorizationConfig } from '../oauth-authorization.config';
import { ConnectSessionMetrics } from '../oauth-authorization.metrics';
import { ConnectSessionEntity } from './connect-session.entity';
import { publicStatus } from './connect-session.mapper';
import { findSessionByToken } from './find-session';
import { IdempotentRequest, idempotentRequest, isIdempotencyKeyConflict } from './idempotency-key';
import { KnownConnectionEntity } from './known-connection.entity';
import { OpenConnectSessionRequestDto } from './open-connect-session.request.dto';
import { newSessionToken } from './session-token';
import { endUserMember, profileMember, requestedEndUser, requestedProfile } from './end-user';
import { asksEndUser, missingAttributes } from './missing-attributes';
import { attributesRequired, connectorNotActive, idempotencyKeyReused, notAnOAuthSession, sessionNotPending } from '../oauth-authorization.errors';

export interface OpenedSession {
  sessionId: string;
  sessionToken: string;
  expiresAt: string;
  connectionId: string;
  mode: string;
  authorizationUrl?: string;
  /** Required attributes the app did not pass: the connect dialog asks the end user for them first. */
  missingAttributes?: string[];
}

@Injectable()
export class OpenConnectSessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly authorizationLeg: OAuth2AuthorizationLeg,
    @Inject(KEYRING) private readonly keyring: Keyring,
    @Inject(OAUTH_AUTHORIZATION_CONFIG) private readonly config: OAuthAuthorizationConfig,
    private readonly metrics: ConnectSessionMetrics,
  ) {}

  /**
   * Opens a session; with an `Idempotency-Key`, a retry of a request whose answer was lost answers
   * with the session it made (and a new session token) instead of opening a second one.
   */
  async open(workspaceId: string, request: OpenConnectSessionRequestDto, idempotencyKey?: string): Promise<OpenedSession> {
    const idempotent = idempotentRequest(idempotencyKey, request);
    try {
      return await this.openOnce(workspaceId, request, idempotent);
    } catch (error) {
      if (idempotent && isIdempotencyKeyConflict(error)) return this.openOnce(workspaceId, request, idempotent);
      throw error;
    }
  }

  private async openOnce(workspaceId: string, request: OpenConnectSessionRequestDto, idempotent: IdempotentRequest | undefined): Promise<OpenedSession> {
    let created = false;
    const opened = await this.dataSource.transaction(async (manager) => {
      if (idempotent) {
        const earlier = await manager.getRepository(ConnectSessionEntity).findOne({ where: { workspaceId, idempotencyKey: idempotent.key } });
        if (earlier) return this.replay(manager, earlier, idempotent);
      }
      const connector = await manager.getRepository(ConnectorEntity).findOne({ where: { connectorId: request.connectorId, workspaceId } });
      if (!connector) throw notFound('connector');
      if (!connector.active) throw connectorNotActive();
      const config = connector.config;
      const attributes = validateRequiredAttributes(config, request.attributes, request.tenant, { missingAllowed: asksEndUser(config) });
      if (!attributes.ok) throw validationFailed(attributes.errors);
      const extraScopes = this.checkScopes(config, request.scopes);
      const returnUrl = request.returnUrl === undefined ? null : this.checkReturnUrl(request.returnUrl);
      const endUser = requestedEndUser(request);
      const profile = requestedProfile(request);
      const { connectionId, endUserId, reconnect } = await this.target(manager, workspaceId, connector, request.connectionId, endUser.id);

      const token = newSessionToken();
      const now = new Date();
      const session: ConnectSessionEntity = {
        id: randomUUID(),
        workspaceId,
        connectorId: connector.connectorId,
        connectorVersion: connector.version,
        mode: connector.mode,
        connectionId,
        reconnect,
        endUserId,
        endUserDetails: endUser.details,
        profile,
        tenant: attributes.value.tenant ?? null,
        attributes: { ...attributes.value.attributes },
        extraScopes,
        returnUrl,
        tokenHash: token.hash,
        status: 'pending',
        errorCode: null,
        errorReason: null,
        expiresAt: new Date(now.getTime() + this.config.connectSessionTtlSeconds * 1000),
        completedAt: null,
        createdAt: now,
        updatedAt: now,
        idempotencyKey: idempotent?.key ?? null,
        requestFingerprint: idempotent?.fingerprint ?? null,
      };
      await manager.getRepository(ConnectSessionEntity).insert(session);
      created = true;
      const opened: OpenedSession = { sessionId: session.id, sessionToken: token.token, expiresAt: session.expiresAt.toISOString(), connectionId, mode: connector.mode };
      if (config.mode === 'OAUTH2' && config.grantType === 'client_credentials') {
        await this.requestClientCredentials(manager, session);
        session.status = 'authorized';
        await manager.getRepository(ConnectSessionEntity).update({ id: session.id }, { status: 'authorized' });
      } else if (attributes.value.missing.length > 0) {
        opened.missingAttributes = [...attributes.value.missing];
      } else if (config.mode === 'OAUTH2') {
        opened.authorizationUrl = await this.authorizationUrl(manager, session, config);
      }
      return opened;
    });
    if (created) this.metrics.sessionStarted();
    return opened;
  }

  /** The session an earlier request with the same key opened, under a new session token. */
  private async replay(manager: EntityManager, session: ConnectSessionEntity, idempotent: IdempotentRequest): Promise<OpenedSession> {
    if (session.requestFingerprint !== idempotent.fingerprint) {
      throw idempotencyKeyReused();
    }
    const token = newSessionToken();
    await manager.getRepository(ConnectSessionEntity).update({ id: session.id }, { tokenHash: token.hash, updatedAt: new Date() });
    const opened: OpenedSession = { sessionId: session.id, sessionToken: token.token, expiresAt: session.expiresAt.toISOString(), connectionId: session.connectionId, mode: session.mode };
    if (publicStatus(session) !== 'pending') return opened;
    const connector = await manager.getRepository(ConnectorEntity).findOne({ where: { connectorId: session.connectorId, workspaceId: session.workspaceId } });
    const config = connector?.config;
    if (config?.mode !== 'OAUTH2' || config.grantType !== 'authorization_code') return opened;
    const missing = missingAttributes(config, session.attributes);
    if (missing.length > 0) opened.missingAttributes = missing;
    else opened.authorizationUrl = await this.authorizationUrl(manager, session, config);
    return opened;
  }

  /**
   * A fresh authorization URL (new state and PKCE pair) for a pending OAuth session, for a connect
   * dialog that holds only the session token. The previous state stays valid until it expires.
   */
  async reauthorize(token: string | undefined): Promise<{ authorizationUrl: string }> {
    return this.dataSource.transaction(async (manager) => {
      const session = await findSessionByToken(manager, token);
      if (publicStatus(session) !== 'pending') throw sessionNotPending(publicStatus(session));
      const connector = await manager.getRepository(ConnectorEntity).findOne({ where: { connectorId: session.connectorId, workspaceId: session.workspaceId } });
      const config = connector?.config;
      if (config?.mode !== 'OAUTH2' || config.grantType !== 'authorization_code') {
        throw notAnOAuthSession();
      }
      const missing = missingAttributes(config, session.attributes);
      if (missing.length > 0) throw attributesRequired(missing);
      return { authorizationUrl: await this.authorizationUrl(manager, session, config) };
    });
  }

  /** A new state and PKCE pair for the session, and the address that carries them. */
  async authorizationUrl(manager: EntityManager, session: ConnectSessionEntity, config: OAuth2Config): Promise<string> {
    try {
      return await this.authorizationLeg.createAuthorizationRequest(manager, {
        sessionId: session.id,
        config: { ...config, scopes: sessionScopes(config, session.extraScopes) },
        tenant: session.tenant ?? undefined,
        attributes: session.attributes,
      });
    } catch (error) {
      if (error instanceof UrlTemplateError) throw validationFailed([{ path: error.placeholder === 'tenant' ? 'tenant' : 'attributes', message: error.message }]);
      throw error;
    }
  }

  /** A client-credentials connector needs no user: the token leg fetches the token right away. */
  private async requestClientCredentials(manager: EntityManager, session: ConnectSessionEntity): Promise<void> {
    await this.outbox.append(manager, CredentialsSubmitted, {
      sessionId: session.id,
      connectionId: session.connectionId,
      workspaceId: session.workspaceId,
      connectorId: session.connectorId,
      connectorVersion: session.connectorVersion,
      endUserId: session.endUserId,
      ...endUserMember(session),
      ...profileMember(session),
      reconnect: session.reconnect,
      ...(session.tenant === null ? {} : { tenant: session.tenant }),
      attributes: session.attributes,
      mode: 'OAUTH2',
      sealedInput: this.keyring.seal('{}', `${CredentialsSubmitted.name}:${session.connectionId}`),
      submittedAt: new Date().toISOString(),
    });
  }

  private async target(
    manager: EntityManager,
    workspaceId: string,
    connector: ConnectorEntity,
    connectionId: string | undefined,
    endUserId: string | undefined,
  ): Promise<{ connectionId: string; endUserId: string; reconnect: boolean }> {
    if (connectionId === undefined) {
      if (endUserId === undefined) throw validationFailed([{ path: 'endUserId', message: 'endUserId (or endUser.id) is required for a new connection' }]);
      return { connectionId: randomUUID(), endUserId, reconnect: false };
    }
    const known = await manager.getRepository(KnownConnectionEntity).findOne({ where: { connectionId, workspaceId } });
    if (!known || known.connectorId !== connector.connectorId) throw notFound('connection');
    if (endUserId !== undefined && endUserId !== known.endUserId) {
      throw validationFailed([{ path: 'endUserId', message: 'endUserId does not match the connection' }]);
    }
    return { connectionId: known.connectionId, endUserId: known.endUserId, reconnect: true };
  }

  /**
   * The scopes asked for beyond the connector's defaults: each must be a default or one of its
   * `optionalScopes`, and only an authorization code connector asks for any.
   */
  private checkScopes(config: AuthConfig, requested: string[] | undefined): string[] {
    if (requested === undefined || requested.length === 0) return [];
    if (config.mode !== 'OAUTH2' || config.grantType !== 'authorization_code') {
      throw validationFailed([{ path: 'scopes', message: 'scopes can be asked for only with an OAuth2 authorization code connector' }]);
    }
    const { scopes, notAllowed } = scopesFor(config, requested);
    if (notAllowed.length > 0) {
      const named = notAllowed.slice(0, 20).map((scope) => scope.slice(0, 64)).join(', ');
      throw validationFailed([{ path: 'scopes', message: `scopes not allowed by the connector (neither its scopes nor its optionalScopes): ${named}` }]);
    }
    return scopes.filter((scope) => !config.scopes.includes(scope));
  }

  /** No open redirect: only PUBLIC_BASE_URL's origin or an allow-listed one. @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11 */
  private checkReturnUrl(value: string): string {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw validationFailed([{ path: 'returnUrl', message: 'returnUrl must be an absolute URL' }]);
    }
    const allowed = new Set([new URL(this.config.publicBaseUrl).origin, ...this.config.allowedReturnOrigins]);
    if (!['https:', 'http:'].includes(url.protocol) || url.username || url.password || !allowed.has(url.origin)) {
      throw validationFailed([{ path: 'returnUrl', message: 'returnUrl must be on an allowed origin' }]);
    }
    return url.toString();
  }
}

/** The connector's scopes and the session's extra ones the connector still allows (it may have changed since the session opened). */
function sessionScopes(config: OAuth2Config, extraScopes: readonly string[]): string[] {
  const { scopes, notAllowed } = scopesFor(config, extraScopes);
  return scopes.filter((scope) => !notAllowed.includes(scope));
}
