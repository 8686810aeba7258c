import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { TOKEN_ISSUANCE_CONFIG, TokenIssuanceConfig } from '../token-issuance.config';

const TABLE = '"token_issuance".refresh_in_flight';
const POLL_MS = 100;

/** A provider call for one connection, taken before the call and committed on its own. */
export interface Lease {
  leaseId: string;
  connectionId: string;
  credentialVersion: number;
  until: Date;
  purpose: 'refresh' | 'revocation';
}

/** What the row says before a lease is taken. */
export type LeaseCheck = { state: 'free' } | { state: 'held'; until: Date } | { state: 'abandoned'; credentialVersion: number };

/**
 * Single flight for provider calls about one connection, without holding a row lock or a pooled
 * database connection across the call: under the connection's row lock a caller takes a lease
 * (a row with an id and an end), commits, calls the provider, and in a second transaction stores
 * the answer only if its lease is still the one in the row. Other callers see the lease held and
 * skip or wait for it to go; a lease that ran out for the current credential version means its
 * holder died after sending (the refresh token may have been rotated).
 *
 * A lease lasts twice the token request timeout plus five seconds: a call is bounded by the
 * timeout, so a live holder always finishes inside it.
 */
@Injectable()
export class RefreshLeases {
  private readonly leaseMs: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(TOKEN_ISSUANCE_CONFIG) config: TokenIssuanceConfig,
  ) {
    this.leaseMs = 2 * config.tokenRequestTimeoutMs + 5000;
  }

  /** Call under the connection's row lock. */
  async check(manager: EntityManager, connectionId: string): Promise<LeaseCheck> {
    const rows: Array<{ credential_version: number; lease_until: Date; live: boolean }> = await manager.query(
      `SELECT credential_version, lease_until, lease_until > now() AS live FROM ${TABLE} WHERE connection_id = $1`,
      [connectionId],
    );
    const row = rows[0];
    if (!row) return { state: 'free' };
    return row.live ? { state: 'held', until: row.lease_until } : { state: 'abandoned', credentialVersion: row.credential_version };
  }

  /** Call under the connection's row lock, after {@link check} found it free or abandoned. */
  async take(manager: EntityManager, connectionId: string, credentialVersion: number, purpose: Lease['purpose']): Promise<Lease> {
    const leaseId = randomUUID();
    const rows: Array<{ lease_until: Date }> = await manager.query(
      `INSERT INTO ${TABLE} (connection_id, credential_version, started_at, lease_id, lease_until, purpose)
       VALUES ($1, $2, now(), $3, now() + make_interval(secs => $4::float8), $5)
       ON CONFLICT (connection_id) DO UPDATE SET credential_version = EXCLUDED.credential_version, started_at = now(),
         lease_id = EXCLUDED.lease_id, lease_until = EXCLUDED.lease_until, purpose = EXCLUDED.purpose
       RETURNING lease_until`,
      [connectionId, credentialVersion, leaseId, this.leaseMs / 1000, purpose],
    );
    return { leaseId, connectionId, credentialVersion, until: rows[0]?.lease_until ?? new Date(Date.now() + this.leaseMs), purpose };
  }

  /** Ends the lease if it is still this one (call under the row lock); false when another caller took over. */
  async release(manager: EntityManager, lease: Lease): Promise<boolean> {
    // a CTE, because TypeORM answers DELETE … RETURNING with [rows, count]
    const rows: unknown[] = await manager.query(
      `WITH released AS (DELETE FROM ${TABLE} WHERE connection_id = $1 AND lease_id = $2 RETURNING 1) SELECT * FROM released`,
      [lease.connectionId, lease.leaseId],
    );
    return rows.length === 1;
  }

  async clear(manager: EntityManager, connectionId: string): Promise<void> {
    await manager.query(`DELETE FROM ${TABLE} WHERE connection_id = $1`, [connectionId]);
  }

  /** Waits, without a lock or a held connection, until the connection's lease ends or `until` passes. */
  async waitUntilReleased(connectionId: string, until: Date): Promise<void> {
    while (Date.now() < until.getTime()) {
      const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM ${TABLE} WHERE connection_id = $1 AND lease_until > now()`, [connectionId]);
      if (rows.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, until.getTime() - Date.now()))));
    }
  }
}
