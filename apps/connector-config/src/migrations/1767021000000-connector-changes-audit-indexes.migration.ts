import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/** Connector changes read by workspace and time (`GET /v1/audit`) and pruned by time (AUDIT_RETENTION_DAYS). */
export class ConnectorChangesAuditIndexes1767021000000 implements MigrationInterface {
  name = 'ConnectorChangesAuditIndexes1767021000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`CREATE INDEX connector_changes_audit ON "${schema}".connector_changes (workspace_id, changed_at DESC)`);
    await runner.query(`CREATE INDEX connector_changes_retention ON "${schema}".connector_changes USING brin (changed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP INDEX "${schema}".connector_changes_audit`);
    await runner.query(`DROP INDEX "${schema}".connector_changes_retention`);
  }
}
