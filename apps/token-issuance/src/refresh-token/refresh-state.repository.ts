import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

const SCHEMA = 'token_issuance';
const KEPT_ATTEMPTS = 50;

export interface RefreshState {
  connectionId: string;
  credentialVersion: number;
  failedAttempts: number;
  lastOutcome: AttemptOutcome | null;
  lastErrorCode: string | null;
  lastAttemptAt: Date | null;
  /** When the schedule tries next, as the last TokenExpired said; kept only while refreshes fail. */
  nextAttemptAt: Date | null;
  notBefore: Date | null;
  needsReconnectError: string | null;
  needsReconnectSince: Date | null;
}

const COLUMNS = 'connection_id, credential_version, failed_attempts, last_outcome, last_error_code, last_attempt_at, next_attempt_at, not_before, needs_reconnect_error, needs_reconnect_since';

function toState(row: Record<string, unknown>): RefreshState {
  return {
    connectionId: row.connection_id as string,
    credentialVersion: row.credential_version as number,
    failedAttempts: row.failed_attempts as number,
    lastOutcome: row.last_outcome as AttemptOutcome | null,
    lastErrorCode: row.last_error_code as string | null,
    lastAttemptAt: row.last_attempt_at as Date | null,
    nextAttemptAt: row.next_attempt_at as Date | null,
    notBefore: row.not_before as Date | null,
    needsReconnectError: row.needs_reconnect_error as string | null,
    needsReconnectSince: row.needs_reconnect_since as Date | null,
  };
}

/** Transient failures are the last word about the connection's current credential: it still works, its renewal does not. */
export function refreshFailing(state: RefreshState | undefined, connection: { credentialVersion: number; status: string }): state is RefreshState {
  return state !== undefined && connection.status === 'active' && state.credentialVersion === connection.credentialVersion && state.lastOutcome === 'transient_failure';
}

export type AttemptOutcome = 'refreshed' | 'transient_failure' | 'permanent_failure' | 'backing_off';

/** Refresh bookkeeping beside the vault, in the caller's transaction. Holds no secret. */
@Injectable()
export class RefreshStateRepository {
  async find(manager: EntityManager, connectionId: string): Promise<RefreshState | undefined> {
    return (await this.findMany(manager, [connectionId]))[0];
  }

  async findMany(manager: EntityManager, connectionIds: string[]): Promise<RefreshState[]> {
    if (connectionIds.length === 0) return [];
    const rows: Array<Record<string, unknown>> = await manager.query(`SELECT ${COLUMNS} FROM "${SCHEMA}".refresh_states WHERE connection_id = ANY($1::uuid[])`, [connectionIds]);
    return rows.map(toState);
  }

  /**
   * Records one attempt at the token endpoint (or a skip for Retry-After) and its outcome. A
   * transient failure keeps the schedule's next attempt (`nextAttemptAt` from TokenExpired, or the
   * one already known for this credential version); any other outcome clears it.
   */
  async recordAttempt(
    manager: EntityManager,
    attempt: { connectionId: string; credentialVersion: number; trigger: string; outcome: AttemptOutcome; errorCode?: string; retryAfterSeconds?: number; nextAttemptAt?: Date },
  ): Promise<void> {
    const failed = attempt.outcome === 'transient_failure' || attempt.outcome === 'permanent_failure';
    // One statement: the state, the attempt (not for a skip) and the pruning of the oldest attempts.
    // The DELETE sees the attempts from before this statement, so it keeps one fewer of them.
    await manager.query(
      `WITH state AS (
         INSERT INTO "${SCHEMA}".refresh_states AS s (connection_id, credential_version, failed_attempts, last_attempt_at, last_outcome, last_error_code, not_before, next_attempt_at, updated_at)
         VALUES ($1, $2, $3, now(), $4, $5, now() + make_interval(secs => $6::float8), CASE WHEN $4 = 'transient_failure' THEN $7::timestamptz END, now())
         ON CONFLICT (connection_id) DO UPDATE SET
           failed_attempts = CASE WHEN s.credential_version = EXCLUDED.credential_version THEN s.failed_attempts + EXCLUDED.failed_attempts ELSE EXCLUDED.failed_attempts END,
           next_attempt_at = CASE WHEN EXCLUDED.last_outcome <> 'transient_failure' THEN NULL
                                  WHEN EXCLUDED.next_attempt_at IS NOT NULL THEN EXCLUDED.next_attempt_at
                                  WHEN s.credential_version = EXCLUDED.credential_version THEN s.next_attempt_at END,
           credential_version = EXCLUDED.credential_version, last_attempt_at = now(), last_outcome = EXCLUDED.last_outcome,
           last_error_code = EXCLUDED.last_error_code, not_before = EXCLUDED.not_before, updated_at = now()
       ), attempt AS (
         INSERT INTO "${SCHEMA}".refresh_attempts (connection_id, credential_version, trigger, outcome, error_code)
         SELECT $1, $2, $8, $4, $5 WHERE $9
       )
       DELETE FROM "${SCHEMA}".refresh_attempts WHERE $9 AND connection_id = $1 AND id < (
         SELECT min(id) FROM (SELECT id FROM "${SCHEMA}".refresh_attempts WHERE connection_id = $1 ORDER BY id DESC LIMIT ${KEPT_ATTEMPTS - 1}) AS kept)`,
      [
        attempt.connectionId,
        attempt.credentialVersion,
        failed ? 1 : 0,
        attempt.outcome,
        attempt.errorCode ?? null,
        attempt.retryAfterSeconds ?? null,
        attempt.nextAttemptAt ?? null,
        attempt.trigger,
        attempt.outcome !== 'backing_off',
      ],
    );
  }

  async markNeedsReconnect(manager: EntityManager, connectionId: string, credentialVersion: number, errorCode: string): Promise<void> {
    await manager.query(
      `INSERT INTO "${SCHEMA}".refresh_states AS s (connection_id, credential_version, needs_reconnect_error, needs_reconnect_since, updated_at)
       VALUES ($1, $2, $3, now(), now())
       ON CONFLICT (connection_id) DO UPDATE SET needs_reconnect_error = EXCLUDED.needs_reconnect_error, needs_reconnect_since = now(),
         credential_version = EXCLUDED.credential_version, updated_at = now()`,
      [connectionId, credentialVersion, errorCode],
    );
  }

  /** Forgets the reconnect mark; returns the error it carried, if this service had marked it. */
  async clearNeedsReconnect(manager: EntityManager, connectionId: string): Promise<string | null> {
    const before = await this.find(manager, connectionId);
    if (!before?.needsReconnectSince) return null;
    await manager.query(
      `UPDATE "${SCHEMA}".refresh_states SET needs_reconnect_error = NULL, needs_reconnect_since = NULL, failed_attempts = 0, not_before = NULL, updated_at = now() WHERE connection_id = $1`,
      [connectionId],
    );
    return before.needsReconnectError ?? 'unknown';
  }

  async delete(manager: EntityManager, connectionId: string): Promise<void> {
    await manager.query(`DELETE FROM "${SCHEMA}".refresh_states WHERE connection_id = $1`, [connectionId]);
    await manager.query(`DELETE FROM "${SCHEMA}".refresh_attempts WHERE connection_id = $1`, [connectionId]);
    await manager.query(`DELETE FROM "${SCHEMA}".refresh_in_flight WHERE connection_id = $1`, [connectionId]);
  }
}
