import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthConfig, OAuth2Config } from '@cb/auth-modes';
import { ConnectionStatusChanged, ConnectionStatusChangedPayload } from '@cb/events';
import { type InboxCommit, OutboxWriter } from '@cb/messaging';
import { TOKEN_ERROR_CODES, type TokenError, type TokenGrant, type TokenResult } from '@cb/oauth-client';
import { boundedLabel, METRICS, ServiceMetrics } from '@cb/platform';
import { ConnectorHealthRepository } from '../connectors/connector-health.repository';
import { ConnectorStore, LoadedConnector } from '../connectors/connector-store';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { CredentialVault, VaultEntry } from '../credential-vault/credential-vault';
import { CredentialOrigins } from '../credential-vault/stored-credential';
import { usesClientCredentials } from '../token-endpoint/client-credentials';
import { PROVIDER_GUARD_CODES } from '../token-endpoint/provider-guard';
import { isConnectorFault, issuedOAuthCredential, oauthCredential, TokenEndpoint } from '../token-endpoint/token-endpoint';
import { FAILURE_REASONS } from '../token-issuance.metrics';
import { canRenew, isDue, readRetryAt, renewalPlan, tooCloseToExpiry } from './refresh-policy';
import { refreshFailing, RefreshStateRepository } from './refresh-state.repository';
import { Lease, RefreshLeases } from './refresh-leases';

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
  | { outcome: 'skipped'; why: 'not_found' | 'superseded' | 'fresh' | 'needs_reconnect' | 'backing_off' | 'renewed_on_read' | 'in_flight' | 'already_handled'; entry: VaultEntry | null }
  | { outcome: 'transient_failure'; entry: VaultEntry; errorCode: string; retryAfterSeconds?: number }
  | { outcome: 'needs_reconnect'; entry: VaultEntry; errorCode: string }
  /** A read of an expired token while its refresh backs off: nothing was sent; try again at `retryAt`. */
  | { outcome: 'retry_later'; entry: VaultEntry; errorCode: string; retryAt: Date };

type HeldElsewhere = { kind: 'held'; until: Date; entry: VaultEntry };

/** What the first transaction decided: an outcome without a provider call, a lease held elsewhere, or a call to make. */
type Decision =
  | { kind: 'done'; outcome: RefreshOutcome }
  | HeldElsewhere
  | { kind: 'call'; entry: VaultEntry; connector: LoadedConnector; grant: TokenGrant; origins: CredentialOrigins | null; lease: Lease };

/** A connection as TokenIssued announced it, without its credential. */
export type IssuedConnection = Pick<ConnectionStatusChangedPayload, 'connectionId' | 'workspaceId' | 'connectorId' | 'endUserId'> & { credentialVersion: number };

/**
 * The refresh use case: the one refresh function, used by the schedule (TokenExpired), credential
 * reads ({@link refreshIfDue}) and 401 reports, and the connection status it changes (needs_reconnect
 * when a token cannot be renewed, active again after a reconnect: {@link reconnected}).
 *
 * Single flight across every instance and path, with no database connection or lock held while the
 * provider answers: a short transaction locks the connection row, decides, and takes a lease
 * ({@link RefreshLeases}); the token request runs outside any transaction; a second transaction
 * stores the answer only while the lease is still this caller's. A second caller finds the lease:
 * the schedule skips, reads and 401 reports wait for it to end (in this instance on the running
 * promise, elsewhere by polling the lease) and then decide again, finding the new credential.
 *
 * The new access token and refresh token (the old refresh token when the response has none) are
 * written in the same transaction as the TokenIssued(refresh) outbox row: nothing announces or hands
 * out the new token before it is committed.
 *
 * Transient failures (5xx, 429, timeouts, network errors, the guard's provider_busy and
 * circuit_open) change nothing but the attempt bookkeeping, which the connection's view shows as
 * `refresh` `failing`, and are retried by the schedule, bounded by the token's remaining lifetime.
 * Reads of a still-valid token leave the retries to the schedule; reads of an expired one retry no
 * sooner than the connection's backoff ({@link readRetryAt}) and otherwise answer at once. A failure
 * of the connector's own (invalid_client, an HTML page, a 404 token URL: see `isConnectorFault`) or
 * an open circuit also marks the connector `failing` (ConnectorHealthRepository) until a request
 * succeeds. Only a dead grant (invalid_grant and its equivalents) or a token that cannot be renewed
 * marks the connection needs_reconnect, once, with one ConnectionStatusChanged carrying the code.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
@Injectable()
export class CredentialRefresher {
  private readonly logger = new Logger(CredentialRefresher.name);
  /** This instance's refreshes under way, by connection: local waiters await them instead of polling. */
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly refreshes;
  private readonly reconnectsNeeded;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    private readonly connectors: ConnectorStore,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly states: RefreshStateRepository,
    private readonly outbox: OutboxWriter,
    private readonly leases: RefreshLeases,
    private readonly health: ConnectorHealthRepository,
    metrics: ServiceMetrics,
  ) {
    this.refreshes = metrics.counter(METRICS.refreshes);
    this.reconnectsNeeded = metrics.counter(METRICS.needsReconnect);
  }

  /**
   * `decidingTransaction` runs the first transaction, where the refresh decides and takes the lease:
   * an event handler passes its inbox's `ctx.commit`, so that the event is recorded in that same
   * transaction (the outcome is `already_handled` when the inbox held the event already).
   */
  async refresh(connectionId: string, trigger: RefreshTrigger, workspaceId?: string, decidingTransaction?: InboxCommit): Promise<RefreshOutcome> {
    const result = await this.refreshInSingleFlight(connectionId, trigger, workspaceId, decidingTransaction);
    this.refreshes.inc({ trigger: trigger.kind, outcome: result.outcome });
    return result;
  }

  private async refreshInSingleFlight(connectionId: string, trigger: RefreshTrigger, workspaceId?: string, decidingTransaction?: InboxCommit): Promise<RefreshOutcome> {
    let leaseWaits = 0;
    let firstTransaction = decidingTransaction;
    for (;;) {
      const running = this.running.get(connectionId);
      if (running) {
        await running;
        continue;
      }
      const attempt = this.attempt(connectionId, trigger, workspaceId, firstTransaction);
      firstTransaction = undefined;
      // Local callers wait for the attempt and, when another instance holds the lease, for its end.
      const settled = attempt.then(
        (decided) => ('kind' in decided && trigger.kind !== 'scheduled' ? this.leases.waitUntilReleased(connectionId, decided.until) : undefined),
        () => undefined,
      );
      this.running.set(connectionId, settled);
      void settled.then(() => this.running.get(connectionId) === settled && this.running.delete(connectionId));
      const decided = await attempt;
      if (!('kind' in decided)) return decided;
      if (trigger.kind === 'scheduled' || leaseWaits++ >= 2) return { outcome: 'skipped', why: 'in_flight', entry: decided.entry };
      await settled;
    }
  }

  /**
   * The credential read's refresh: renews a loaded token that is due by the schedule's own rule (a
   * refresh token grant, or a new client-credentials token), through the same single flight. Null
   * when nothing had to be done.
   */
  async refreshIfDue(entry: VaultEntry, config: AuthConfig | null, workspaceId: string): Promise<RefreshOutcome | null> {
    const { connection } = entry;
    if (connection.status !== 'active' || !canRenew(connection, config)) return null;
    if (!isDue(connection, new Date())) return null;
    return this.refresh(connection.id, { kind: 'on_demand' }, workspaceId);
  }

  /**
   * A connection this service marked needs_reconnect got a new credential through a connect session
   * (TokenIssued reason reconnect; the vault's status is active again): announces the recovery once.
   */
  async reconnected(manager: EntityManager, issued: IssuedConnection): Promise<void> {
    const errorCode = await this.states.clearNeedsReconnect(manager, issued.connectionId);
    if (errorCode === null) return;
    await this.announceStatus(manager, issued, { status: 'active', previousStatus: 'needs_reconnect', reason: `reconnected after ${errorCode}` });
    this.logger.log({ connectionId: issued.connectionId }, 'connection active again after a reconnect');
  }

  private async attempt(connectionId: string, trigger: RefreshTrigger, workspaceId?: string, decidingTransaction?: InboxCommit): Promise<HeldElsewhere | RefreshOutcome> {
    const decide = (manager: EntityManager): Promise<Decision> => this.decide(manager, connectionId, trigger, workspaceId);
    const decision = decidingTransaction ? await decidingTransaction(decide) : await this.dataSource.transaction(decide);
    if (!decision) return { outcome: 'skipped', why: 'already_handled', entry: null };
    if (decision.kind === 'done') return decision.outcome;
    if (decision.kind === 'held') return decision;
    const { entry, connector, grant } = decision;
    const values = { tenant: entry.connection.tenant, attributes: entry.connection.attributes };
    const result = await this.tokenEndpoint.request(connector, values, grant);
    return this.dataSource.transaction((manager) => this.record(manager, decision, trigger, result));
  }

  /** Under the connection's row lock: skip, mark, or take the lease for a provider call. */
  private async decide(manager: EntityManager, connectionId: string, trigger: RefreshTrigger, workspaceId?: string): Promise<Decision> {
    const done = (outcome: RefreshOutcome): Decision => ({ kind: 'done', outcome });
    const entry = await this.vault.loadForUpdate(manager, connectionId, workspaceId);
    if (!entry) return done({ outcome: 'skipped', why: 'not_found', entry: null });
    const { connection, credential } = entry;
    const now = new Date();
    if (connection.status === 'needs_reconnect') return done({ outcome: 'skipped', why: 'needs_reconnect', entry });
    const announcedVersion = trigger.kind === 'on_demand' ? undefined : trigger.credentialVersion;
    if (announcedVersion !== undefined && connection.credentialVersion > announcedVersion) return done({ outcome: 'skipped', why: 'superseded', entry });
    if (trigger.kind === 'on_demand' && !isDue(connection, now)) return done({ outcome: 'skipped', why: 'fresh', entry });
    const expired = (): boolean => tooCloseToExpiry(connection.expiresAt, now) || (trigger.kind === 'scheduled' && trigger.reason === 'expired');

    // The connector as this instance follows it (ADR 0007), like a credential read.
    const connector = await this.connectors.findCurrent(connection.connectorId);
    const config = connector?.config;
    if (!connector || !config || config.mode !== 'OAUTH2' || credential.type !== 'oauth2') {
      // Typed credentials cannot be renewed: at expiry (or on a reported 401) the user must reconnect.
      if (trigger.kind === 'unauthorized_reported') return done(await this.needsReconnect(manager, entry, 'unauthorized_reported', 'a caller reported the credential as rejected'));
      if (expired()) return done(await this.needsReconnect(manager, entry, 'credential_expired', 'the credential has expired'));
      return done({ outcome: 'skipped', why: 'fresh', entry });
    }
    // Client-credentials tokens are renewed by the read itself (no user, no refresh token).
    if (usesClientCredentials(config) && trigger.kind === 'scheduled') return done({ outcome: 'skipped', why: 'renewed_on_read', entry });

    const plan = renewalPlan(config, credential);
    if ('impossible' in plan) {
      if (trigger.kind === 'unauthorized_reported' || expired()) return done(await this.needsReconnect(manager, entry, plan.impossible, 'the token cannot be refreshed'));
      return done({ outcome: 'skipped', why: 'fresh', entry });
    }

    const state = await this.states.find(manager, connectionId);
    if (trigger.kind !== 'unauthorized_reported' && state?.credentialVersion === connection.credentialVersion && state.notBefore && state.notBefore > now) {
      if (trigger.kind === 'on_demand' && tooCloseToExpiry(connection.expiresAt, now)) return done({ outcome: 'retry_later', entry, errorCode: state.lastErrorCode ?? 'rate_limited', retryAt: state.notBefore });
      return done({ outcome: 'skipped', why: 'backing_off', entry });
    }
    if (trigger.kind === 'on_demand' && refreshFailing(state, connection)) {
      // While the provider fails, reads of a still-valid token leave the retries to the schedule;
      // reads of an expired one follow the connection's backoff instead of trying on every read.
      if (!tooCloseToExpiry(connection.expiresAt, now) && state.nextAttemptAt && state.nextAttemptAt > now) return done({ outcome: 'skipped', why: 'backing_off', entry });
      const retryAt = readRetryAt(state);
      if (tooCloseToExpiry(connection.expiresAt, now) && retryAt > now) return done({ outcome: 'retry_later', entry, errorCode: state.lastErrorCode ?? 'provider_error', retryAt });
    }

    const values = { tenant: connection.tenant, attributes: connection.attributes };
    const origins = this.tokenEndpoint.origins(connector, values);
    if (plan.grant.grantType === 'refresh_token' && credential.origins && origins?.token !== credential.origins.token) {
      return done(await this.needsReconnect(manager, entry, 'token_endpoint_moved', 'the connector\'s token endpoint moved to another origin; the refresh token is only sent where it was obtained'));
    }
    const lease = await this.leases.check(manager, connectionId);
    if (lease.state === 'held') return { kind: 'held', until: lease.until, entry };
    if (lease.state === 'abandoned' && plan.grant.grantType === 'refresh_token' && lease.credentialVersion === connection.credentialVersion) {
      // The last call was sent and its answer never stored: the provider may have rotated the
      // refresh token, and presenting it again would look like token theft (RFC 9700 §4.14.2).
      await this.leases.clear(manager, connectionId);
      return done(await this.needsReconnect(manager, entry, 'refresh_interrupted', 'a refresh was cut off before its answer was stored; the refresh token is not presented again'));
    }
    const taken = await this.leases.take(manager, connectionId, connection.credentialVersion, 'refresh');
    return { kind: 'call', entry, connector, grant: plan.grant, origins, lease: taken };
  }

  /** Under the row lock again: stores the answer while the lease is still this caller's. */
  private async record(manager: EntityManager, decision: Decision & { kind: 'call' }, trigger: RefreshTrigger, result: TokenResult | TokenError): Promise<RefreshOutcome> {
    const { lease, connector, origins } = decision;
    const { connectionId } = lease;
    const entry = await this.vault.loadForUpdate(manager, connectionId, decision.entry.connection.workspaceId);
    const ours = await this.leases.release(manager, lease);
    if (!entry) return { outcome: 'skipped', why: 'not_found', entry: null };
    if (!ours || entry.connection.credentialVersion !== lease.credentialVersion) {
      this.logger.warn({ connectionId }, 'the connection changed while the provider answered a refresh; the answer is not stored');
      return { outcome: 'skipped', why: 'superseded', entry };
    }
    const { connection, credential } = entry;
    const attempt = {
      connectionId,
      credentialVersion: connection.credentialVersion,
      trigger: trigger.kind,
      ...(trigger.kind === 'scheduled' && trigger.nextAttemptAt ? { nextAttemptAt: trigger.nextAttemptAt } : {}),
    };
    if (!result.ok) return this.failed(manager, entry, attempt, result);

    const config = connector.config as OAuth2Config;
    const renewed = oauthCredential(result, credential.type === 'oauth2' ? credential.scopes : config.scopes, new Date(), origins, credential);
    const saved = await this.vault.issue(manager, {
      connectionId,
      workspaceId: connection.workspaceId,
      connectorId: connection.connectorId,
      connectorVersion: connection.connectorVersion,
      endUserId: connection.endUserId,
      ...issuedOAuthCredential(config, renewed),
      reason: 'refresh',
    });
    await this.states.recordAttempt(manager, { connectionId, trigger: trigger.kind, credentialVersion: saved.credentialVersion, outcome: 'refreshed' });
    await this.health.succeeded(manager, connection.connectorId);
    this.logger.log({ connectionId, trigger: trigger.kind, credentialVersion: saved.credentialVersion }, 'connection refreshed');
    return { outcome: 'refreshed', entry: { connection: saved, credential: renewed } };
  }

  private async failed(
    manager: EntityManager,
    entry: VaultEntry,
    attempt: { connectionId: string; credentialVersion: number; trigger: string; nextAttemptAt?: Date },
    error: TokenError,
  ): Promise<RefreshOutcome> {
    const connectorFault = isConnectorFault(error) || error.code === PROVIDER_GUARD_CODES.circuitOpen;
    if (error.retriable || unreadableSuccess(error) || connectorFault) {
      if (connectorFault) await this.health.failing(manager, entry.connection.connectorId, error.code);
      await this.states.recordAttempt(manager, {
        ...attempt,
        outcome: 'transient_failure',
        errorCode: error.code,
        ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      });
      this.logger.warn(
        { connectionId: attempt.connectionId, connectorId: entry.connection.connectorId, connectorFault, errorCode: error.code, httpStatus: error.status },
        'refresh failed; the schedule retries',
      );
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
      await this.announceStatus(manager, { ...connection, connectionId: connection.id }, { status: 'needs_reconnect', previousStatus: 'active', errorCode, reason });
      this.logger.warn({ connectionId: connection.id, errorCode }, 'connection needs reconnect');
      this.reconnectsNeeded.inc({ reason: boundedLabel(errorCode, FAILURE_REASONS) });
    }
    return { outcome: 'needs_reconnect', entry: { ...entry, connection: { ...connection, status: 'needs_reconnect' } }, errorCode };
  }

  private async announceStatus(
    manager: EntityManager,
    connection: IssuedConnection,
    change: Pick<ConnectionStatusChangedPayload, 'status' | 'previousStatus' | 'errorCode' | 'reason'>,
  ): Promise<void> {
    await this.outbox.append(manager, ConnectionStatusChanged, {
      connectionId: connection.connectionId,
      workspaceId: connection.workspaceId,
      connectorId: connection.connectorId,
      endUserId: connection.endUserId,
      ...change,
      credentialVersion: connection.credentialVersion,
      changedAt: new Date().toISOString(),
    });
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
