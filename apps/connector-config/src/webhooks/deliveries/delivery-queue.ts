import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks.config';
import { webhookBody, type WebhookEvent } from '../events/webhook-event-types';
import { rowsOf, WebhookTables } from '../webhook-tables';
import { nextRetryDelay } from './retry-schedule';

/** A delivery taken for one attempt, with what the attempt needs. */
export interface ClaimedDelivery {
  id: string;
  leaseId: string;
  attempt: number;
  attemptsThisRound: number;
  body: string;
  url: string;
  endpointId: string;
  sealedSecret: string;
  previousSealedSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

export type AttemptOutcome = 'succeeded' | 'http_error' | 'timeout' | 'network_error' | 'refused';

export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  durationMs: number;
  responseSnippet: string | null;
  error: string | null;
  startedAt: Date;
}

/**
 * The delivery queue: rows in PostgreSQL, claimed with FOR UPDATE SKIP LOCKED in short transactions
 * and leased while the POST runs with no transaction open (ADR 0015). Of one endpoint and one
 * connection (or connector) only the oldest pending delivery is ever eligible, so N+1 never starts
 * while N is pending or in flight; at most `concurrencyPerEndpoint` leases per endpoint.
 */
@Injectable()
export class DeliveryQueue {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly tables: WebhookTables,
  ) {}

  /** One pending delivery per enabled endpoint of the workspace subscribed to the type; an event already queued is not queued again. */
  async enqueue(manager: EntityManager, event: WebhookEvent, headers: Record<string, string>): Promise<number> {
    const { endpoints, deliveries } = this.tables;
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${deliveries} (id, endpoint_id, workspace_id, event_id, event_type, ordering_key, body, status, next_attempt_at, created_at)
       SELECT gen_random_uuid(), e.id, e.workspace_id, $2, $3, $4, $5, 'pending', now(), now()
         FROM ${endpoints} e
        WHERE e.workspace_id = $1 AND e.enabled AND $3 = ANY (e.event_types)
       ON CONFLICT (endpoint_id, event_id) DO NOTHING
       RETURNING id`,
      [event.workspaceId, headers.ce_id, event.type, event.orderingKey, webhookBody(event, headers)],
    );
    return rows.length;
  }

  /**
   * Leases up to `limit` due deliveries. A lease that ran out (its holder died mid-attempt) is taken
   * over, and that attempt is recorded as interrupted.
   */
  async claim(limit: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const { endpoints, deliveries, attempts } = this.tables;
    const { attemptTimeoutMs, concurrencyPerEndpoint } = this.settings;
    const leaseMs = leaseDuration(attemptTimeoutMs);
    return this.dataSource.transaction(async (manager) => {
      // Claims take turns across instances (a few milliseconds each), so the leases counted per
      // endpoint include every other instance's committed claims: WEBHOOK_CONCURRENCY_PER_ENDPOINT holds exactly.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${deliveries}:claim`]);
      const candidates: Array<{ id: string }> = await manager.query(
        `WITH busy AS (
           SELECT endpoint_id, count(*)::int AS leased FROM ${deliveries}
            WHERE status = 'pending' AND lease_expires_at > now() GROUP BY endpoint_id
         ), ready AS (
           SELECT d.id, d.next_attempt_at, d.seq, COALESCE(b.leased, 0) AS leased,
                  row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.seq) AS rank
             FROM ${deliveries} d
             JOIN ${endpoints} e ON e.id = d.endpoint_id AND e.enabled
             LEFT JOIN busy b ON b.endpoint_id = d.endpoint_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= now())
              AND NOT EXISTS (SELECT 1 FROM ${deliveries} p
                               WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key AND p.status = 'pending' AND p.seq < d.seq)
         )
         SELECT id FROM ready WHERE rank + leased <= $1 ORDER BY next_attempt_at, seq LIMIT $2`,
        [concurrencyPerEndpoint, limit],
      );
      if (candidates.length === 0) return [];
      const locked: Array<{ id: string; lease_id: string | null; attempts: number }> = await manager.query(
        `SELECT id, lease_id, attempts FROM ${deliveries}
          WHERE id = ANY ($1) AND status = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at <= now())
          FOR UPDATE SKIP LOCKED`,
        [candidates.map((c) => c.id)],
      );
      if (locked.length === 0) return [];
      const interrupted = locked.filter((row) => row.lease_id !== null);
      if (interrupted.length > 0) {
        await manager.query(
          `INSERT INTO ${attempts} (id, delivery_id, attempt, outcome, error, started_at)
           SELECT gen_random_uuid(), d.id, d.attempts, 'interrupted', 'the attempt was cut off (its process stopped); delivered again', d.last_attempt_at
             FROM ${deliveries} d WHERE d.id = ANY ($1) AND d.attempts > 0
           ON CONFLICT (delivery_id, attempt) DO NOTHING`,
          [interrupted.map((row) => row.id)],
        );
      }
      const leaseId = randomUUID();
      const claimed = rowsOf<Record<string, unknown>>(
        await manager.query(
          `UPDATE ${deliveries} d
              SET lease_id = $2, lease_expires_at = now() + ($3 || ' milliseconds')::interval, attempts = d.attempts + 1,
                  attempts_this_round = d.attempts_this_round + 1, last_attempt_at = now()
             FROM ${endpoints} e
            WHERE d.id = ANY ($1) AND e.id = d.endpoint_id
            RETURNING d.id, d.attempts, d.attempts_this_round, d.body, d.endpoint_id, e.url, e.sealed_secret, e.previous_sealed_secret, e.previous_secret_expires_at`,
          [locked.map((row) => row.id), leaseId, String(leaseMs)],
        ),
      );
      return claimed.map((row) => ({
        id: row.id as string,
        leaseId,
        attempt: row.attempts as number,
        attemptsThisRound: row.attempts_this_round as number,
        body: row.body as string,
        url: row.url as string,
        endpointId: row.endpoint_id as string,
        sealedSecret: row.sealed_secret as string,
        previousSealedSecret: row.previous_sealed_secret as string | null,
        previousSecretExpiresAt: row.previous_secret_expires_at as Date | null,
      }));
    });
  }

  /**
   * Records the attempt and decides what comes next: done, another attempt after the schedule's
   * wait, or failed when the schedule is used up (and the endpoint disabled as failing after too many
   * failed deliveries in a row). Only while the lease is still this attempt's.
   */
  async complete(delivery: ClaimedDelivery, result: AttemptResult): Promise<'succeeded' | 'retrying' | 'failed' | 'lease_lost'> {
    const { endpoints, deliveries, attempts } = this.tables;
    const { retryScheduleMs, disableAfterFailedDeliveries } = this.settings;
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO ${attempts} (id, delivery_id, attempt, outcome, status_code, duration_ms, response_snippet, error, started_at)
         SELECT $1, id, $3, $4, $5, $6, $7, $8, $9 FROM ${deliveries} WHERE id = $2
         ON CONFLICT (delivery_id, attempt) DO NOTHING`,
        [randomUUID(), delivery.id, delivery.attempt, result.outcome, result.statusCode, result.durationMs, result.responseSnippet, result.error, result.startedAt],
      );
      const succeeded = result.outcome === 'succeeded';
      const wait = succeeded ? undefined : nextRetryDelay(retryScheduleMs, delivery.attemptsThisRound);
      const status = succeeded ? 'succeeded' : wait === undefined ? 'failed' : 'pending';
      const updated = rowsOf<unknown>(
        await manager.query(
        `UPDATE ${deliveries}
              SET status = $3, lease_id = NULL, lease_expires_at = NULL,
                  next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + ($4 || ' milliseconds')::interval ELSE next_attempt_at END,
                  completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
            WHERE id = $1 AND lease_id = $2
            RETURNING id`,
          [delivery.id, delivery.leaseId, status, String(wait ?? 0)],
        ),
      );
      if (updated.length === 0) return 'lease_lost';
      if (status === 'succeeded') {
        await manager.query(`UPDATE ${endpoints} SET failed_deliveries_in_a_row = 0 WHERE id = $1 AND failed_deliveries_in_a_row <> 0`, [delivery.endpointId]);
      } else if (status === 'failed') {
        await manager.query(
          `UPDATE ${endpoints}
              SET failed_deliveries_in_a_row = failed_deliveries_in_a_row + 1,
                  enabled = enabled AND failed_deliveries_in_a_row + 1 < $2,
                  disabled_reason = CASE WHEN enabled AND failed_deliveries_in_a_row + 1 >= $2 THEN 'failing' ELSE disabled_reason END,
                  updated_at = CASE WHEN enabled AND failed_deliveries_in_a_row + 1 >= $2 THEN now() ELSE updated_at END
            WHERE id = $1`,
          [delivery.endpointId, disableAfterFailedDeliveries],
        );
      }
      return status === 'pending' ? 'retrying' : status;
    });
  }
}

/** A live holder always finishes inside its lease (the attempt's timeout, then its commit). */
export function leaseDuration(attemptTimeoutMs: number): number {
  return attemptTimeoutMs * 2 + 5000;
}
