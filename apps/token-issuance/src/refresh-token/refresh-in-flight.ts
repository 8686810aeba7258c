import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { TOKEN_ISSUANCE_CONFIG, TokenIssuanceConfig } from '../token-issuance.config';

const TABLE = '"token_issuance".refresh_in_flight';

/**
 * Marks a refresh grant as sent before it is sent, committed on its own, and clears the mark in the
 * refresh's transaction: a mark left for the current credential version means an earlier refresh
 * never stored its answer. Only refreshes of the same connection touch a row, and they hold the
 * connection's row lock first, so the two statements never wait on each other. The marks have their
 * own two-connection pool: readers queued on the row lock may hold every connection of the main one.
 */
@Injectable()
export class RefreshInFlightMarks implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(@Inject(TOKEN_ISSUANCE_CONFIG) config: TokenIssuanceConfig) {
    this.pool = new Pool({ connectionString: config.databaseUrl, max: 2, application_name: 'token-issuance-refresh-marks', connectionTimeoutMillis: 5000 });
    this.pool.on('error', () => undefined); // an idle client lost with the database; the next query reconnects
  }

  /** The credential version an earlier refresh was sent for and never finished, if any. */
  async interrupted(manager: EntityManager, connectionId: string): Promise<number | undefined> {
    const rows: Array<{ credential_version: number }> = await manager.query(`SELECT credential_version FROM ${TABLE} WHERE connection_id = $1`, [connectionId]);
    return rows[0]?.credential_version;
  }

  async mark(connectionId: string, credentialVersion: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${TABLE} (connection_id, credential_version, started_at) VALUES ($1, $2, now())
       ON CONFLICT (connection_id) DO UPDATE SET credential_version = EXCLUDED.credential_version, started_at = now()`,
      [connectionId, credentialVersion],
    );
  }

  async clear(manager: EntityManager, connectionId: string): Promise<void> {
    await manager.query(`DELETE FROM ${TABLE} WHERE connection_id = $1`, [connectionId]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
