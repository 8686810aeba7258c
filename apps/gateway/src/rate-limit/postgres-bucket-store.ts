import { Pool } from 'pg';
import type { BucketLease, BucketStore } from './leased-token-buckets';
import type { BucketRule } from './token-bucket';

export interface PostgresBucketStoreOptions {
  databaseUrl: string;
  /** The gateway's schema, which holds `rate_limit_buckets`. */
  schema: string;
  applicationName: string;
  /** A lease (or a sweep) that has not finished by then fails, and the buckets fall back to local ones. */
  timeoutMs?: number;
  /** Opening a connection for leases. */
  connectTimeoutMs?: number;
}

/**
 * The shared token buckets: one row per limit and key in `<schema>.rate_limit_buckets` (an unlogged
 * table: after a crash the buckets start full). A lease is one statement: it refills the row by the
 * time elapsed on the database's clock (so the instances' clocks do not matter), takes up to the
 * wanted whole tokens, and returns what it took, all under the row's lock. A missing row is a full
 * bucket.
 *
 * Its own small pool with short timeouts, apart from the request pool: a database that hangs costs
 * each lease at most `timeoutMs` (plus a connection's opening) and at most two connections, and never
 * holds up other queries.
 */
export class PostgresBucketStore implements BucketStore {
  private readonly pool: Pool;
  private readonly leaseSql: string;
  private readonly sweepSql: string;

  constructor(options: PostgresBucketStoreOptions) {
    const timeoutMs = options.timeoutMs ?? 1_000;
    this.pool = new Pool({
      connectionString: options.databaseUrl,
      application_name: options.applicationName,
      max: 2,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
      statement_timeout: timeoutMs,
      query_timeout: timeoutMs * 2,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection the server drops must not crash the process; the next lease reconnects.
    this.pool.on('error', () => undefined);
    const table = `"${options.schema}".rate_limit_buckets`;
    // $3 capacity, $4 wanted, $5 refill per second. `refilled` is the bucket now, before the take.
    const refilled = 'least($3::float8, b.tokens + $5::float8 * greatest(0, extract(epoch FROM now() - b.refilled_at)::float8))';
    this.leaseSql = `
      INSERT INTO ${table} AS b (name, key, tokens, granted, refilled_at)
      VALUES ($1, $2, $3::float8 - least($4::float8, $3::float8), least($4::float8, $3::float8), now())
      ON CONFLICT (name, key) DO UPDATE SET
        granted = least($4::float8, floor(${refilled})),
        tokens = ${refilled} - least($4::float8, floor(${refilled})),
        refilled_at = greatest(b.refilled_at, now())
      RETURNING granted, tokens`;
    this.sweepSql = `DELETE FROM ${table} WHERE name = $1 AND refilled_at < now() - make_interval(secs => $2::float8)`;
  }

  async lease(limit: string, key: string, rule: BucketRule, wanted: number): Promise<BucketLease> {
    const { rows } = await this.pool.query<{ granted: number; tokens: number }>(this.leaseSql, [limit, key, rule.capacity, wanted, rule.refillPerSecond]);
    const row = rows[0];
    if (!row) throw new Error('the rate limit lease returned no row');
    return { granted: Number(row.granted), tokens: Number(row.tokens) };
  }

  /** Deletes the limit's rows that have refilled to full (as good as missing); returns how many. */
  async sweep(limit: string, rule: BucketRule): Promise<number> {
    const { rowCount } = await this.pool.query(this.sweepSql, [limit, rule.capacity / rule.refillPerSecond]);
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
