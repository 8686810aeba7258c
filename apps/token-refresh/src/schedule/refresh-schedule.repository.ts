import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SCHEDULE_SCHEMA } from './schedule-schema';

/** A credential as TokenIssued describes it; what the schedule needs, no secret. */
export interface ScheduledCredential {
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  endUserId: string;
  mode: string;
  credentialVersion: number;
  issuedAt: Date;
  expiresAt: Date | null;
  refreshable: boolean;
  refreshMarginSeconds: number;
}

/** A row claimed by the scheduler; `expired` and `now` come from the database clock. */
export interface DueRow {
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  endUserId: string;
  credentialVersion: number;
  expiresAt: Date | null;
  refreshable: boolean;
  attempts: number;
  expired: boolean;
}

interface DueRecord {
  connection_id: string;
  workspace_id: string;
  connector_id: string;
  end_user_id: string;
  credential_version: number;
  expires_at: Date | null;
  refreshable: boolean;
  attempts: number;
  expired: boolean;
}

/**
 * The claim query, exported so that a test can EXPLAIN it against a million rows. `$1` is the batch,
 * `$2` the most connections whose first TokenExpired may be out unanswered: rows in their first
 * lease (`attempts = 1`, due again later) are counted, at most `$2` of them through their partial
 * index, and only what is left of the bound is claimed. A newer credential (attempts reset) or the
 * lease's end (due again, then attempts 2) takes a row out of the count, so a failing provider
 * holds part of the bound for one lease at most.
 */
export function claimDueQuery(table: string): string {
  return `SELECT connection_id, workspace_id, connector_id, end_user_id, credential_version, expires_at, refreshable, attempts,
                 (expires_at IS NOT NULL AND expires_at <= now()) AS expired
          FROM ${table}
          WHERE due_at <= now()
          ORDER BY due_at
          LIMIT least($1::int, greatest(0, $2::int - (SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE attempts = 1 AND due_at > now() LIMIT $2::int) AS unanswered)))
          FOR UPDATE SKIP LOCKED`;
}

/**
 * SQL over `refresh_schedule`, always inside the caller's transaction (the inbox transaction of an
 * event handler, or the scheduler's claim transaction).
 */
@Injectable()
export class RefreshScheduleRepository {
  private readonly table: string;

  constructor(@Inject(SCHEDULE_SCHEMA) schema: string) {
    this.table = `"${schema}".refresh_schedule`;
  }

  /**
   * A newer credential version replaces the row and resets its attempts; an older or equal one
   * (a late or repeated event) changes nothing. Returns whether the row was written.
   */
  async upsertIssued(manager: EntityManager, credential: ScheduledCredential, dueAt: Date | null): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${this.table} AS s (connection_id, workspace_id, connector_id, end_user_id, mode, credential_version, issued_at, expires_at,
                                       refreshable, refresh_margin_seconds, status, due_at, attempts, attempt_times, last_reason, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, 0, '{}', NULL, now())
       ON CONFLICT (connection_id) DO UPDATE SET
         workspace_id = EXCLUDED.workspace_id, connector_id = EXCLUDED.connector_id, end_user_id = EXCLUDED.end_user_id, mode = EXCLUDED.mode,
         credential_version = EXCLUDED.credential_version, issued_at = EXCLUDED.issued_at, expires_at = EXCLUDED.expires_at,
         refreshable = EXCLUDED.refreshable, refresh_margin_seconds = EXCLUDED.refresh_margin_seconds, status = 'active',
         due_at = EXCLUDED.due_at, attempts = 0, attempt_times = '{}', last_reason = NULL, updated_at = now()
       WHERE s.credential_version < EXCLUDED.credential_version
       RETURNING connection_id`,
      [
        credential.connectionId,
        credential.workspaceId,
        credential.connectorId,
        credential.endUserId,
        credential.mode,
        credential.credentialVersion,
        credential.issuedAt,
        credential.expiresAt,
        credential.refreshable,
        credential.refreshMarginSeconds,
        dueAt,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Takes the connection off the schedule, unless the status change is older than the credential
   * the schedule holds (a reconnect that overtook it on another topic).
   */
  async markNeedsReconnect(manager: EntityManager, connectionId: string, changedAt: Date, credentialVersion: number | undefined): Promise<boolean> {
    const rows = returned(await manager.query(
      `UPDATE ${this.table} SET status = 'needs_reconnect', status_changed_at = $2, due_at = NULL, updated_at = now()
       WHERE connection_id = $1 AND ($3::int IS NULL OR credential_version <= $3::int) AND ($3::int IS NOT NULL OR issued_at <= $2)
       RETURNING connection_id`,
      [connectionId, changedAt, credentialVersion ?? null],
    ));
    return rows.length > 0;
  }

  /** Back on the schedule at `dueAt` (computed from the stored credential) when it was off. */
  async markActive(manager: EntityManager, connectionId: string, changedAt: Date): Promise<ScheduledCredential | undefined> {
    const rows = returned<Record<string, unknown>>(await manager.query(
      `UPDATE ${this.table} SET status = 'active', status_changed_at = $2, updated_at = now()
       WHERE connection_id = $1 AND status = 'needs_reconnect'
       RETURNING connection_id, workspace_id, connector_id, end_user_id, mode, credential_version, issued_at, expires_at, refreshable, refresh_margin_seconds`,
      [connectionId, changedAt],
    ));
    const row = rows[0];
    if (!row) return undefined;
    return {
      connectionId: row.connection_id as string,
      workspaceId: row.workspace_id as string,
      connectorId: row.connector_id as string,
      endUserId: row.end_user_id as string,
      mode: row.mode as string,
      credentialVersion: row.credential_version as number,
      issuedAt: row.issued_at as Date,
      expiresAt: row.expires_at as Date | null,
      refreshable: row.refreshable as boolean,
      refreshMarginSeconds: row.refresh_margin_seconds as number,
    };
  }

  async setDueAt(manager: EntityManager, connectionId: string, dueAt: Date | null): Promise<void> {
    await manager.query(`UPDATE ${this.table} SET due_at = $2, attempts = 0, attempt_times = '{}', updated_at = now() WHERE connection_id = $1`, [connectionId, dueAt]);
  }

  async delete(manager: EntityManager, connectionId: string): Promise<void> {
    await manager.query(`DELETE FROM ${this.table} WHERE connection_id = $1`, [connectionId]);
  }

  /**
   * Locks up to `limit` due rows that no other instance holds, fewer when close to `maxUnanswered`
   * first announcements are still out. With the partial indexes on `due_at` this reads only the due
   * part of one and at most `maxUnanswered` entries of the other, whatever the size of the table.
   */
  async claimDue(manager: EntityManager, limit: number, maxUnanswered: number): Promise<DueRow[]> {
    const rows: DueRecord[] = await manager.query(claimDueQuery(this.table), [limit, maxUnanswered]);
    return rows.map((r) => ({
      connectionId: r.connection_id,
      workspaceId: r.workspace_id,
      connectorId: r.connector_id,
      endUserId: r.end_user_id,
      credentialVersion: r.credential_version,
      expiresAt: r.expires_at,
      refreshable: r.refreshable,
      attempts: r.attempts,
      expired: r.expired,
    }));
  }

  /**
   * Records emitted TokenExpired events, one statement for all: each attempt (its time kept, the last
   * 20) and the next due time (`null` takes the row off the schedule: an expired credential that
   * cannot be refreshed).
   */
  async recordAttempts(manager: EntityManager, attempts: ReadonlyArray<{ connectionId: string; reason: string; nextDueInMs: number | null }>): Promise<void> {
    if (attempts.length === 0) return;
    await manager.query(
      `UPDATE ${this.table} AS s
       SET attempts = s.attempts + 1,
           attempt_times = (s.attempt_times || now())[greatest(1, cardinality(s.attempt_times) - 18):],
           last_reason = a.reason,
           due_at = CASE WHEN a.next_due_in_ms IS NULL THEN NULL ELSE now() + make_interval(secs => a.next_due_in_ms / 1000) END,
           updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS a(connection_id, reason, next_due_in_ms)
       WHERE s.connection_id = a.connection_id`,
      [attempts.map((a) => a.connectionId), attempts.map((a) => a.reason), attempts.map((a) => a.nextDueInMs)],
    );
  }
}

/** TypeORM answers an UPDATE … RETURNING with `[rows, affected]`, other statements with the rows. */
function returned<T = unknown>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
