import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The token buckets every gateway instance shares (one row per limit and key: a workspace id or a
 * client address), leased from a few tokens at a time. Unlogged: no WAL for a write that is
 * rewritten every few requests, and after a crash the table is empty, which means every bucket is
 * full again (the lenient side).
 */
export class RateLimitBuckets1766200000000 implements MigrationInterface {
  name = 'RateLimitBuckets1766200000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE UNLOGGED TABLE "${schema}".rate_limit_buckets (
        name text NOT NULL,
        key text NOT NULL,
        tokens double precision NOT NULL,
        granted integer NOT NULL,
        refilled_at timestamptz NOT NULL,
        PRIMARY KEY (name, key)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TABLE "${schema}".rate_limit_buckets`);
  }
}
