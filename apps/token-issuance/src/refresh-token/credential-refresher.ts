import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConnectionStatusChanged } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { TOKEN_ERROR_CODES, type TokenError } from '@cb/oauth-client';
import { ConnectorHealthRepository } from '../connectors/connector-health.repository';
import { ConnectorStore } from '../connectors/connector-store';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { CredentialVault, VaultEntry } from '../credential-vault/credential-vault';
import { isConnectorFault, isRefreshable, oauthCredential, TokenEndpoint } from '../token-endpoint/token-endpoint';
import { isRefreshDue } from '@cb/refresh-policy';
import { isExpired, renewalPlan, tokenLifetime, tooCloseToExpiry } from './refresh-policy';
import { refreshFailing, RefreshStateRepository } from './refresh-state.repository';
import { RefreshInFlightMarks } from './refresh-in-flight';

/**
 * What asks for a refresh. `scheduled` comes from TokenExpired and names the credential version it
 * was about (and when the schedule tries again); `on_demand` from a credential read;
 * `unauthorized_reported` from a caller's 401.
 */
export type RefreshTrigger =
  | { kind: 'scheduled'; credentialVersion: number; reason: 'due' | 'expired' | 'unauthorized_reported'; nextAttemptAt?: Date }
  | { kind: 'on_demand' }
  | { kind: 'unauthorized_reported'; credentialVersion?: number };

export type RefreshOutcome =
  | { outcome: 'refreshed'; entry: VaultEntry }
  | { outcome: 'skipped'; why: 'not_found' | 'superseded' | 'fresh' | 'needs_reconnect' | 'backing_off' | 'renewed_on_read'; entry: VaultEntry | null }
  | { outcome: 'transient_failure'; entry: VaultEntry; errorCode: string; retryAfterSeconds?: number }
  | { outcome: 'needs_reconnect'; entry: VaultEntry; errorCode: string };

/**
 * The one refresh function, used by the schedule (TokenExpired), credential reads and 401 reports.
 *
 * Single flight across every instance and path: the connection row is locked (`SELECT … FOR
 * UPDATE`) in the caller's transaction, then re-read; a second caller waits for the lock and finds
 * the new credential version (or a fresh token) and skips. The lock is held during the token
 * request, which is bounded by TOKEN_REQUEST_TIMEOUT_MS.
 *
 * The new access token and refresh token (the old refresh token when the response has none) are
 * written in the same transaction as the TokenIssued(refresh) outbox row: nothing announces or hands
 * out the new token before it is committed.
 *
 * Transient failures (5xx, 429, timeouts, network errors) change nothing but the attempt bookkeeping
 * (a Retry-After, and the schedule's next attempt, which the connection's view shows as `refresh`
 * `failing`), and are retried by the schedule's lease, bounded by the token's remaining lifetime;
 * meanwhile reads of the still-valid token do not retry on their own. The connection stays usable
 * while its token is valid. A failure of the connector's own (invalid_client, an HTML page, a 404
 * token URL: see `isConnectorFault`) is handled the same way for the connection, and marks the
 * connector `failing` (ConnectorHealthRepository) until a request succeeds. Only a dead grant
 * (invalid_grant and its equivalents) or a token that cannot be renewed marks the connection
 * needs_reconnect, once, with one ConnectionStatusChanged carrying the provider's error code.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
@Injectable()
export class CredentialRefresher {
  private readonly logger = new Logger(CredentialRefresher.name);

  constructor(
    private readonly vault: CredentialVault,
    private readonly connectors: ConnectorStore,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly states: RefreshStateRepository,
    private readonly outbox: OutboxWriter,
    private readonly inFlight: RefreshInFlightMarks,
    private readonly health: ConnectorHealthRepository,
  ) {}

  async refresh(manager: EntityManager, connectionId: string, trigger: RefreshTrigger, workspaceId?: string): Promise<RefreshOutcome> {
    const entry = await this.vault.loadForUpdate(manager, connectionId, workspaceId);
    if (!entry) return { outcome: 'skipped', why: 'not_found', entry: null };
    const { connection, credential } = entry;
    const now = new Date();
    if (connection.status === 'needs_reconnect') return { outcome: 'skipped', why: 'needs_reconnect', entry };
    const announcedVersion = trigger.kind === 'on_demand' ? undefined : trigger.credentialVersion;
    if (announcedVersion !== undefined && connection.credentialVersion > announcedVersion) return { outcome: 'skipped', why: 'superseded', entry };
    if (trigger.kind === 'on_demand' && !isRefreshDue(tokenLifetime(connection), now)) return { outcome: 'skipped', why: 'fresh', entry };

    const connector = await this.connectors.find(manager, connection.connectorId);
    const config = connector?.config;
    if (!connector || !config || config.mode !== 'OAUTH2' || credential.type !== 'oauth2') {
      // Typed credentials cannot be renewed: at expiry (or on a reported 401) the user must reconnect.
      if (trigger.kind === 'unauthorized_reported') return this.needsReconnect(manager, entry, 'unauthorized_reported', 'a caller reported the credential as rejected');
      if (isExpired(connection.expiresAt, new Date(now.getTime() + 1000)) || (trigger.kind === 'scheduled' && trigger.reason === 'expired')) {
        return this.needsReconnect(manager, entry, 'credential_expired', 'the credential has expired');
      }
      return { outcome: 'skipped', why: 'fresh', entry };
    }
    // Client-credentials tokens are renewed by the read itself (no user, no refresh token).
    if (config.grantType === 'client_credentials' && trigger.kind === 'scheduled') return { outcome: 'skipped', why: 'renewed_on_read', entry };

    const plan = renewalPlan(config, credential);
    if ('impossible' in plan) {
      const expired = isExpired(connection.expiresAt, new Date(now.getTime() + 1000)) || (trigger.kind === 'scheduled' && trigger.reason === 'expired');
      if (trigger.kind === 'unauthorized_reported' || expired) return this.needsReconnect(manager, entry, plan.impossible, 'the token cannot be refreshed');
      return { outcome: 'skipped', why: 'fresh', entry };
    }

    const state = await this.states.find(manager, connectionId);
    if (trigger.kind !== 'unauthorized_reported' && state?.credentialVersion === connection.credentialVersion && state.notBefore && state.notBefore > now) {
      return { outcome: 'skipped', why: 'backing_off', entry };
    }
    // While the provider fails, reads of a still-valid token leave the retries to the schedule.
    if (trigger.kind === 'on_demand' && refreshFailing(state, connection) && state.nextAttemptAt && state.nextAttemptAt > now && !tooCloseToExpiry(connection.expiresAt, now)) {
      return { outcome: 'skipped', why: 'backing_off', entry };
    }

    const values = { tenant: connection.tenant, attributes: connection.attributes };
    const origins = this.tokenEndpoint.origins(connector, values);
    if (plan.grant.grantType === 'refresh_token' && credential.origins && origins?.token !== credential.origins.token) {
      return this.needsReconnect(manager, entry, 'token_endpoint_moved', 'the connector\'s token endpoint moved to another origin; the refresh token is only sent where it was obtained');
    }
    const rotating = plan.grant.grantType === 'refresh_token';
    if (rotating && (await this.inFlight.interrupted(manager, connectionId)) === connection.credentialVersion) {
      // The last refresh grant was sent and its answer never stored: the provider may have rotated the
      // refresh token, and presenting it again would look like token theft (RFC 9700 §4.14.2).
      await this.inFlight.clear(manager, connectionId);
      return this.needsReconnect(manager, entry, 'refresh_interrupted', 'a refresh was cut off before its answer was stored; the refresh token is not presented again');
    }
    if (rotating) await this.inFlight.mark(connectionId, connection.credentialVersion);
    const result = await this.tokenEndpoint.request(connector, values, plan.grant);
    if (rotating) await this.inFlight.clear(manager, connectionId);
    const attempt = {
      connectionId,
      credentialVersion: connection.credentialVersion,
      trigger: trigger.kind,
      ...(trigger.kind === 'scheduled' && trigger.nextAttemptAt ? { nextAttemptAt: trigger.nextAttemptAt } : {}),
    };
    if (!result.ok) return this.failed(manager, entry, attempt, result);

    const renewed = oauthCredential(result, credential.scopes, new Date(), origins, credential);
    const saved = await this.vault.save(manager, {
      connectionId,
      workspaceId: connection.workspaceId,
      connectorId: connection.connectorId,
      connectorVersion: connection.connectorVersion,
      mode: connection.mode,
      endUserId: connection.endUserId,
      credential: renewed,
      expiresAt: renewed.expiresAt,
      refreshable: config.grantType === 'client_credentials' ? false : isRefreshable(config, renewed),
      refreshMarginSeconds: config.refreshMarginSeconds,
      reason: 'refresh',
    });
    await this.states.recordAttempt(manager, { connectionId, trigger: trigger.kind, credentialVersion: saved.credentialVersion, outcome: 'refreshed' });
    await this.health.succeeded(manager, connection.connectorId);
    await this.vault.announce(manager, saved, 'refresh');
    this.logger.log(`connection ${connectionId} refreshed (${trigger.kind}): credential version ${saved.credentialVersion}`);
    return { outcome: 'refreshed', entry: { connection: saved, credential: renewed } };
  }

  private async failed(
    manager: EntityManager,
    entry: VaultEntry,
    attempt: { connectionId: string; credentialVersion: number; trigger: string; nextAttemptAt?: Date },
    error: TokenError,
  ): Promise<RefreshOutcome> {
    const connectorFault = isConnectorFault(error);
    if (error.retriable || unreadableSuccess(error) || connectorFault) {
      if (connectorFault) await this.health.failing(manager, entry.connection.connectorId, error.code);
      await this.states.recordAttempt(manager, {
        ...attempt,
        outcome: 'transient_failure',
        errorCode: error.code,
        ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      });
      const whose = connectorFault ? `connector ${entry.connection.connectorId} is failing` : 'failed transiently';
      this.logger.warn(`refresh of connection ${attempt.connectionId}: ${whose} (${error.code}${error.status ? `, HTTP ${error.status}` : ''}); the schedule retries`);
      return { outcome: 'transient_failure', entry, errorCode: error.code, ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }) };
    }
    await this.states.recordAttempt(manager, { connectionId: attempt.connectionId, credentialVersion: attempt.credentialVersion, trigger: attempt.trigger, outcome: 'permanent_failure', errorCode: error.code });
    return this.needsReconnect(manager, entry, error.code, error.description ?? `the provider refused the refresh (${error.code})`);
  }

  /** Marks the connection and announces it once; a connection already marked stays silent. */
  private async needsReconnect(manager: EntityManager, entry: VaultEntry, errorCode: string, reason: string): Promise<RefreshOutcome> {
    const { connection } = entry;
    const result = await manager
      .createQueryBuilder()
      .update(ConnectionEntity)
      .set({ status: 'needs_reconnect', updatedAt: new Date() })
      .where('id = :id AND status = :active', { id: connection.id, active: 'active' })
      .execute();
    if (result.affected === 1) {
      await this.states.markNeedsReconnect(manager, connection.id, connection.credentialVersion, errorCode);
      await this.outbox.append(manager, ConnectionStatusChanged, {
        connectionId: connection.id,
        workspaceId: connection.workspaceId,
        connectorId: connection.connectorId,
        endUserId: connection.endUserId,
        status: 'needs_reconnect',
        previousStatus: 'active',
        errorCode,
        reason,
        credentialVersion: connection.credentialVersion,
        changedAt: new Date().toISOString(),
      });
      this.logger.warn(`connection ${connection.id} needs reconnect: ${errorCode}`);
    }
    return { outcome: 'needs_reconnect', entry: { ...entry, connection: { ...connection, status: 'needs_reconnect' } }, errorCode };
  }
}

/**
 * A 2xx whose body is not a token response (an HTML page from a proxy or a maintenance screen) is
 * retried on the schedule instead of ending the connection at once: if the server did rotate the
 * refresh token, the retry gets invalid_grant and the connection needs a reconnect, which is where
 * a permanent failure would have left it anyway; if it did not, the retry succeeds.
 */
function unreadableSuccess(error: TokenError): boolean {
  return error.code === TOKEN_ERROR_CODES.invalidTokenResponse && error.status !== undefined && error.status >= 200 && error.status < 300;
}
