import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

const SCHEMA = 'token_issuance';

/**
 * `failing`: the connector's token endpoint refused a request for a reason that is the connector's
 * own (invalid_client, unauthorized_client, an HTML error page, a 404 token URL), not a
 * connection's. Its connections stay active and the schedule retries them; the first success
 * makes it `ok` again.
 */
export interface ConnectorHealth {
  state: 'ok' | 'failing';
  lastErrorCode: string | null;
  failingSince: Date | null;
}

/** Bookkeeping beside the connector projection, in the caller's transaction. Holds no secret. */
@Injectable()
export class ConnectorHealthRepository {
  async find(manager: EntityManager, connectorId: string): Promise<ConnectorHealth> {
    const rows: Array<{ state: 'ok' | 'failing'; last_error_code: string | null; failing_since: Date | null }> = await manager.query(
      `SELECT state, last_error_code, failing_since FROM "${SCHEMA}".connector_health WHERE connector_id = $1`,
      [connectorId],
    );
    const row = rows[0];
    return row ? { state: row.state, lastErrorCode: row.last_error_code, failingSince: row.failing_since } : { state: 'ok', lastErrorCode: null, failingSince: null };
  }

  async failing(manager: EntityManager, connectorId: string, errorCode: string): Promise<void> {
    await manager.query(
      `INSERT INTO "${SCHEMA}".connector_health AS h (connector_id, state, last_error_code, failing_since, last_failure_at, updated_at)
       VALUES ($1, 'failing', $2, now(), now(), now())
       ON CONFLICT (connector_id) DO UPDATE SET state = 'failing', last_error_code = EXCLUDED.last_error_code,
         failing_since = CASE WHEN h.state = 'failing' THEN h.failing_since ELSE now() END, last_failure_at = now(), updated_at = now()`,
      [connectorId, errorCode],
    );
  }

  /** Writes only when the connector was failing, so a healthy connector's refreshes add no write. */
  async succeeded(manager: EntityManager, connectorId: string): Promise<void> {
    await manager.query(
      `UPDATE "${SCHEMA}".connector_health SET state = 'ok', last_error_code = NULL, failing_since = NULL, updated_at = now() WHERE connector_id = $1 AND state = 'failing'`,
      [connectorId],
    );
  }
}
