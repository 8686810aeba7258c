import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CodeReceived, CodeReceivedPayload } from '@cb/events';
import type { InboxContext } from '@cb/messaging';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { renderOAuth2Urls } from '@cb/auth-modes';
import { CredentialVerifier } from '../verify-credential/credential-verifier';
import { ConnectorHealthRepository } from '../connectors/connector-health.repository';
import { ConnectorStore, type LoadedConnector } from '../connectors/connector-store';
import type { StoredCredential } from '../credential-vault/stored-credential';
import { PROVIDER_GUARD_CODES } from '../token-endpoint/provider-guard';
import { describeTokenError, isConnectorFault, issuedOAuthCredential, oauthCredential, TokenEndpoint } from '../token-endpoint/token-endpoint';
import { CodeRedemptionEntity } from './code-redemption.entity';
import { ConnectOutcome } from './connect-outcome';
import { schemaOf } from '@cb/platform';

/** The inbox of the event that brought the code: its id, and the transaction that records it. */
export type CodeReceivedInbox = Pick<InboxContext, 'eventId' | 'commit'>;

/**
 * Redeems an authorization code once: the redemption row commits before the token request, so a
 * redelivered or duplicated CodeReceived never presents the code twice. An interrupted redemption
 * is not retried (the server could revoke the grant); it fails the session. The token request uses
 * the connector version the connect session captured, not a later one. No pooled connection is
 * held while the provider answers; the outcome commits with the inbox row (`inbox.commit`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.5
 */
@Injectable()
export class ExchangeCodeUseCase {
  private readonly logger = new Logger(ExchangeCodeUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorStore,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly outcome: ConnectOutcome,
    private readonly health: ConnectorHealthRepository,
    private readonly verifier: CredentialVerifier,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  async exchange(payload: CodeReceivedPayload, inbox: CodeReceivedInbox): Promise<void> {
    const connector = await this.connectors.findVersion(this.dataSource.manager, payload.connectorId, payload.connectorVersion);
    if (connector === 'not_yet') throw new Error(`connector ${payload.connectorId} version ${payload.connectorVersion} is not known yet`);
    if (connector !== 'unknown' && connector.entity.workspaceId !== payload.workspaceId) throw new Error(`connector ${payload.connectorId} is not in workspace ${payload.workspaceId}`);
    const claimed = await this.claim(payload, inbox.eventId);
    if (claimed === 'duplicate') {
      this.logger.log({ sessionId: payload.sessionId }, 'code already redeemed or being redeemed; duplicate ignored');
      return;
    }
    if (claimed === 'interrupted') {
      this.logger.warn({ sessionId: payload.sessionId }, 'code redemption was interrupted; not retried');
      await inbox.commit((manager) => this.fail(manager, payload, 'redemption_interrupted', 'The authorization code exchange was interrupted and cannot be retried safely. Please connect again.'));
      return;
    }
    if (connector === 'unknown') {
      this.logger.warn({ connectorId: payload.connectorId, connectorVersion: payload.connectorVersion, sessionId: payload.sessionId }, "the session's connector version is no longer known; the code is not sent");
      await inbox.commit((manager) => this.fail(manager, payload, 'connector_version_unavailable', 'The connector changed while connecting. Please connect again.'));
      return;
    }

    // No transaction is open while the provider answers.
    const context = `${CodeReceived.name}:${payload.connectionId}`;
    const code = this.keyring.open(payload.sealedCode, context);
    const codeVerifier = payload.sealedCodeVerifier ? this.keyring.open(payload.sealedCodeVerifier, context) : undefined;
    const values = { tenant: payload.tenant ?? null, attributes: payload.attributes ?? {} };
    const result = await this.tokenEndpoint.request(connector, values, {
      grantType: 'authorization_code',
      code,
      redirectUri: payload.redirectUri,
      ...(codeVerifier === undefined ? {} : { codeVerifier }),
    });
    if (!result.ok) {
      this.logger.warn({ sessionId: payload.sessionId, errorCode: result.code }, 'code exchange failed');
      await inbox.commit(async (manager) => {
        if (isConnectorFault(result) || result.code === PROVIDER_GUARD_CODES.circuitOpen) await this.health.failing(manager, payload.connectorId, result.code);
        await this.fail(manager, payload, result.code, describeTokenError(result));
      });
      return;
    }

    const config = connector.config;
    if (config.mode !== 'OAUTH2') throw new Error('connector is not OAuth 2.0');
    const credential = oauthCredential(result, payload.requestedScopes, new Date(), this.tokenEndpoint.origins(connector, values));
    const verification = await this.verifier.verify(config, credential, { tenant: payload.tenant, attributes: payload.attributes });
    if (!verification.ok) {
      this.logger.warn({ sessionId: payload.sessionId, errorCode: verification.code, providerStatus: verification.providerStatus }, 'the provider API did not accept the new access token');
      await this.revokeUnused(connector, credential, payload);
      await inbox.commit(async (manager) => {
        await this.health.succeeded(manager, payload.connectorId);
        await this.fail(manager, payload, verification.code, verification.reason);
      });
      return;
    }
    await inbox.commit(async (manager) => {
      await this.outcome.connected(manager, payload, { connectorVersion: connector.entity.version, ...issuedOAuthCredential(config, credential) });
      await this.health.succeeded(manager, payload.connectorId);
      await this.finish(manager, payload.sessionId, 'succeeded', null);
    });
  }

  /** A grant the broker will not keep is revoked where the connector can (best effort; a failure is logged). @see https://www.rfc-editor.org/rfc/rfc7009 */
  private async revokeUnused(connector: LoadedConnector, credential: StoredCredential & { type: 'oauth2' }, payload: CodeReceivedPayload): Promise<void> {
    const config = connector.config;
    if (config.mode !== 'OAUTH2') return;
    let revocationUrl: string | undefined;
    try {
      revocationUrl = renderOAuth2Urls(config, { ...(payload.tenant ? { tenant: payload.tenant } : {}), attributes: payload.attributes ?? {} }).revocationUrl;
    } catch {
      revocationUrl = undefined;
    }
    if (revocationUrl === undefined) return;
    const answer = await this.tokenEndpoint.revoke(connector, revocationUrl, credential.refreshToken ?? credential.accessToken, credential.refreshToken ? 'refresh_token' : 'access_token');
    if (!answer.ok) this.logger.warn({ sessionId: payload.sessionId, errorCode: answer.code }, 'the unverified grant could not be revoked');
  }

  private async fail(manager: EntityManager, payload: CodeReceivedPayload, errorCode: string, description: string): Promise<void> {
    await this.finish(manager, payload.sessionId, 'failed', errorCode);
    await this.outcome.failed(manager, payload, errorCode, description);
  }

  /**
   * Commits the redemption row on its own, before anything is sent: one autocommitted statement (a
   * transaction around it would cost two more round trips on the connect path).
   */
  private async claim(payload: CodeReceivedPayload, eventId: string): Promise<'claimed' | 'duplicate' | 'interrupted'> {
    const manager = this.dataSource.manager;
    const inserted: unknown[] = await manager.query(
      `INSERT INTO "${schemaOf(manager)}".code_redemptions (session_id, connection_id, event_id, status) VALUES ($1, $2, $3, 'redeeming')
       ON CONFLICT (session_id) DO NOTHING RETURNING session_id`,
      [payload.sessionId, payload.connectionId, eventId],
    );
    if (inserted.length > 0) return 'claimed';
    const existing = await manager.getRepository(CodeRedemptionEntity).findOneByOrFail({ sessionId: payload.sessionId });
    // The same event again while its redemption never finished: the request may have been sent.
    return existing.eventId === eventId && existing.status === 'redeeming' ? 'interrupted' : 'duplicate';
  }

  private async finish(manager: EntityManager, sessionId: string, status: 'succeeded' | 'failed', errorCode: string | null): Promise<void> {
    await manager.getRepository(CodeRedemptionEntity).update({ sessionId }, { status, errorCode, finishedAt: new Date() });
  }
}
