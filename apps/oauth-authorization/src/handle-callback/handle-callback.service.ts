import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CodeReceived } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { OAuth2AuthorizationLeg } from '../authorization-url/oauth2-authorization-leg.adapter';
import { ConnectSessionEntity } from '../connect-sessions/connect-session.entity';
import { publicStatus } from '../connect-sessions/connect-session.mapper';
import { endUserMember, profileMember } from '../connect-sessions/end-user';
import { OAUTH_AUTHORIZATION_CONFIG, OAuthAuthorizationConfig } from '../oauth-authorization.config';
import { ConnectSessionMetrics } from '../oauth-authorization.metrics';
import { CallbackOutcome } from './callback-page';

/** The authorization response's parameters (RFC 6749 §4.1.2, RFC 9207); every one is untrusted. */
export interface CallbackQuery {
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
}

const REASONS: Record<string, string> = {
  invalid_state: 'This response does not belong to a connection attempt in progress (unknown or already used). Please start again.',
  state_expired: 'The connection attempt took too long and expired. Please start again.',
  session_expired: 'The connect session expired. Please start again.',
  session_not_pending: 'This connection attempt has already been answered.',
  issuer_mismatch: 'The response came from an unexpected authorization server, so it was rejected.',
  missing_code: 'The provider did not send an authorization code. Please try again.',
  access_denied: 'Access was not granted: the request was declined at the provider.',
};

/**
 * Ends the authorization leg: checks state (single use, unexpired, bound to a pending session), the
 * issuer and the code, then emits CodeReceived with the code and verifier sealed. Anything wrong
 * fails the session and emits nothing. Flow parameters come from the stored state, never the query.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
@Injectable()
export class HandleCallbackService {
  private readonly logger = new Logger(HandleCallbackService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly authorizationLeg: OAuth2AuthorizationLeg,
    @Inject(KEYRING) private readonly keyring: Keyring,
    @Inject(OAUTH_AUTHORIZATION_CONFIG) private readonly config: OAuthAuthorizationConfig,
    private readonly metrics: ConnectSessionMetrics,
  ) {}

  async handle(query: CallbackQuery): Promise<CallbackOutcome> {
    const defaultOrigin = new URL(this.config.publicBaseUrl).origin;
    const state = query.state;
    if (typeof state !== 'string' || state === '') return this.failed(null, 'invalid_state', defaultOrigin);
    return this.dataSource.transaction(async (manager) => {
      const verification = await this.authorizationLeg.consumeCallback(manager, { state, iss: query.iss });
      const session =
        verification.sessionId === null
          ? null
          : await manager.getRepository(ConnectSessionEntity).findOne({ where: { id: verification.sessionId }, lock: { mode: 'pessimistic_write' } });
      const returnUrl = session?.returnUrl ?? null;
      const targetOrigin = returnUrl ? new URL(returnUrl).origin : defaultOrigin;
      const fail = async (code: string): Promise<CallbackOutcome> => {
        if (session && session.status === 'pending') await this.failSession(manager, session, code);
        this.logger.log({ errorCode: code, sessionId: session?.id ?? null }, 'callback rejected');
        return this.failed(session?.id ?? null, code, targetOrigin, returnUrl);
      };
      if (!verification.ok) return fail(verification.reason === 'state_expired' ? 'state_expired' : 'invalid_state');
      if (!session) return fail('invalid_state');
      const status = publicStatus(session);
      if (status === 'expired') return fail('session_expired');
      if (session.status !== 'pending') return this.failed(session.id, 'session_not_pending', targetOrigin, returnUrl);
      if (!verification.issuerAccepted) return fail('issuer_mismatch');
      if (query.error !== undefined) return fail(providerErrorCode(query.error));
      if (typeof query.code !== 'string' || query.code === '' || query.code.length > 4096) return fail('missing_code');

      const context = `${CodeReceived.name}:${session.connectionId}`;
      await this.outbox.append(manager, CodeReceived, {
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
        sealedCode: this.keyring.seal(query.code, context),
        ...(verification.codeVerifier === null ? {} : { sealedCodeVerifier: this.keyring.seal(verification.codeVerifier, context) }),
        redirectUri: verification.redirectUri,
        requestedScopes: verification.requestedScopes,
        receivedAt: new Date().toISOString(),
      });
      await manager.getRepository(ConnectSessionEntity).update({ id: session.id }, { status: 'authorized', updatedAt: new Date() });
      this.logger.log({ sessionId: session.id }, 'authorization code received');
      return {
        sessionId: session.id,
        status: 'authorized',
        message: 'Authorization received. The connection is being completed; you can close this window.',
        returnUrl,
        targetOrigin,
      };
    });
  }

  private async failSession(manager: EntityManager, session: ConnectSessionEntity, code: string): Promise<void> {
    await manager
      .getRepository(ConnectSessionEntity)
      .update({ id: session.id }, { status: 'failed', errorCode: code, errorReason: reasonFor(code), completedAt: new Date(), updatedAt: new Date() });
    this.metrics.sessionFailed(code);
  }

  private failed(sessionId: string | null, code: string, targetOrigin: string, returnUrl: string | null = null): CallbackOutcome {
    return { sessionId, status: 'failed', errorCode: code, message: reasonFor(code), returnUrl, targetOrigin };
  }
}

/** Keeps the provider's error code when it looks like one (RFC 6749 §4.1.2.1); never echoes anything else. */
function providerErrorCode(error: string): string {
  return /^[a-z0-9_]{1,64}$/.test(error) ? error : 'authorization_error';
}

function reasonFor(code: string): string {
  return REASONS[code] ?? `The provider answered with an error (${code}). Please try again or contact support.`;
}
