import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/** The audit of imported connections: who (the API key), when, into which connector; never a secret. */
export class ConnectionImports1766500000000 implements MigrationInterface {
  name = 'ConnectionImports1766500000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`CREATE TABLE "${schema}".connection_imports (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workspace_id uuid NOT NULL,
      connection_id uuid NOT NULL,
      connector_id uuid NOT NULL,
      mode text NOT NULL,
      api_key_id text NOT NULL,
      imported_at timestamptz NOT NULL
    )`);
    await runner.query(`CREATE INDEX connection_imports_workspace ON "${schema}".connection_imports (workspace_id, imported_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${schemaOf(runner)}".connection_imports`);
  }
}
