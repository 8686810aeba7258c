import { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit trail of connector changes (no secret values; see ConnectorChangeEntity). */
export class ConnectorChanges1764700000000 implements MigrationInterface {
  name = 'ConnectorChanges1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE TABLE "${schema}".connector_changes (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        connector_id uuid NOT NULL,
        version integer NOT NULL,
        action text NOT NULL CHECK (action IN ('created', 'updated', 'activated', 'deactivated', 'deleted')),
        actor text NOT NULL,
        changes jsonb NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX connector_changes_by_connector_idx ON "${schema}".connector_changes (workspace_id, connector_id, changed_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TABLE "${schema}".connector_changes`);
  }
}
