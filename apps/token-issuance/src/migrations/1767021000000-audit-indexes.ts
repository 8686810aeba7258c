import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * The audit read by workspace and time (`GET /v1/audit`), and pruned by time (AUDIT_RETENTION_DAYS):
 * a B-tree per table for the first, a BRIN for the second (rows arrive in time order, so it stays
 * small and costs the hot credential read next to nothing).
 */
export class AuditIndexes1767021000000 implements MigrationInterface {
  name = 'AuditIndexes1767021000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    for (const [table, column] of TABLES) {
      await runner.query(`CREATE INDEX ${table}_audit ON "${schema}".${table} (workspace_id, ${column} DESC, id DESC)`);
      await runner.query(`CREATE INDEX ${table}_retention ON "${schema}".${table} USING brin (${column})`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    for (const [table] of TABLES) {
      await runner.query(`DROP INDEX "${schema}".${table}_audit`);
      await runner.query(`DROP INDEX "${schema}".${table}_retention`);
    }
  }
}

const TABLES = [
  ['credential_reads', 'read_at'],
  ['proxy_calls', 'called_at'],
  ['connection_imports', 'imported_at'],
] as const;
