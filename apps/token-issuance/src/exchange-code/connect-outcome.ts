import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConnectionFailed, type EndUserDetails } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { AppError, boundedLabel, METRICS, ServiceMetrics } from '@cb/platform';
import { ConnectionProfiles } from '../connection-profile/connection-profiles';
import { ConnectorStore } from '../connectors/connector-store';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { CredentialVault, IssueCredential } from '../credential-vault/credential-vault';
import { boundToApiOrigin } from '../proxy/api-origin';
import { TOKEN_ISSUANCE_CONFIG, type TokenIssuanceConfig } from '../token-issuance.config';
import { FAILURE_REASONS } from '../token-issuance.metrics';

export interface ConnectAttemptRef {
  sessionId: string;
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  endUserId: string;
}

/** A connect attempt as CodeReceived and CredentialsSubmitted describe it. */
export interface ConnectAttempt extends ConnectAttemptRef {
  reconnect: boolean;
  tenant?: string;
  attributes?: Record<string, string>;
  endUser?: EndUserDetails;
  metadata?: Record<string, unknown>;
  tags?: Record<string, string>;
}

/** What a successful connect attempt obtained, and from which connector version. */
export type ConnectedCredential = Pick<IssueCredential, 'connectorVersion' | 'mode' | 'credential' | 'expiresAt' | 'refreshable' | 'refreshMarginSeconds'>;

/**
 * The end of a connect attempt, in the caller's transaction: a credential issued to the connection
 * (a reconnect keeps the connection's end user), or a failure announced, of which nothing is
 * stored in the vault.
 */
@Injectable()
export class ConnectOutcome {
  private readonly logger = new Logger(ConnectOutcome.name);
  private readonly exchanges;

  constructor(
    private readonly vault: CredentialVault,
    private readonly outbox: OutboxWriter,
    private readonly profiles: ConnectionProfiles,
    private readonly connectors: ConnectorStore,
    @Inject(TOKEN_ISSUANCE_CONFIG) private readonly config: TokenIssuanceConfig,
    metrics: ServiceMetrics,
  ) {
    this.exchanges = metrics.counter(METRICS.connectExchanges);
  }

  async connected(manager: EntityManager, attempt: ConnectAttempt, obtained: ConnectedCredential): Promise<ConnectionEntity> {
    const existing = attempt.reconnect ? await this.vault.loadForUpdate(manager, attempt.connectionId, attempt.workspaceId) : null;
    const values = { tenant: attempt.tenant ?? null, attributes: attempt.attributes ?? {} };
    const connector = await this.connectors.findCurrent(attempt.connectorId);
    const connection = await this.vault.issue(manager, {
      ...obtained,
      credential: boundToApiOrigin(obtained.credential, connector?.config, values, this.config.outbound.admitInternalAddresses),
      connectionId: attempt.connectionId,
      workspaceId: attempt.workspaceId,
      connectorId: attempt.connectorId,
      endUserId: existing?.connection.endUserId ?? attempt.endUserId,
      ...values,
      sessionId: attempt.sessionId,
      reason: existing ? 'reconnect' : 'connect',
    });
    await this.profiles.recordEndUser(manager, connection, attempt.endUser);
    await this.recordProfile(manager, connection, attempt);
    this.logger.log({ connectionId: connection.id, credentialVersion: connection.credentialVersion }, 'connection holds a new credential');
    // Counted in the transaction: an inbox retry after a failed commit counts again (rare; the inbox's retries show it).
    this.exchanges.inc({ outcome: 'completed', reason: 'none' });
    return connection;
  }

  /**
   * The metadata and tags the session was opened with, merged into the profile as a PATCH would (a
   * new connection's profile is empty). The session checked their bounds; should a reconnect's
   * merge with what is stored exceed them, the stored ones stay and the connect still succeeds.
   */
  private async recordProfile(manager: EntityManager, connection: ConnectionEntity, attempt: ConnectAttempt): Promise<void> {
    if (attempt.metadata === undefined && attempt.tags === undefined) return;
    try {
      await this.profiles.apply(manager, connection, { ...(attempt.metadata === undefined ? {} : { metadata: attempt.metadata }), ...(attempt.tags === undefined ? {} : { tags: attempt.tags }) });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'validation_failed') throw error;
      this.logger.warn({ connectionId: connection.id, problems: ((error as AppError).details as { errors?: Array<{ path: string }> } | undefined)?.errors?.map((e) => e.path) }, "the session's metadata or tags would exceed the bounds merged with the stored ones; kept the stored ones");
    }
  }

  async failed(manager: EntityManager, attempt: ConnectAttemptRef, errorCode: string, reason: string): Promise<void> {
    await this.outbox.append(manager, ConnectionFailed, {
      sessionId: attempt.sessionId,
      connectionId: attempt.connectionId,
      workspaceId: attempt.workspaceId,
      connectorId: attempt.connectorId,
      endUserId: attempt.endUserId,
      errorCode,
      reason,
      failedAt: new Date().toISOString(),
    });
    this.exchanges.inc({ outcome: 'failed', reason: boundedLabel(errorCode, FAILURE_REASONS) });
  }
}
