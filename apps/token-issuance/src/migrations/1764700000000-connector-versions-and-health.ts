import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * `connector_versions`: the configuration of every activated version (no secret), so that a code
 * is exchanged with the version its connect session captured. `connector_health`: whether the
 * connector's token endpoint fails for reasons of the connector's own (invalid_client, an HTML
 * page, a 404), as opposed to one connection's grant.
 */
export class ConnectorVersionsAndHealth1764700000000 implements MigrationInterface {
  name = 'ConnectorVersionsAndHealth1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`
      CREATE TABLE "${schema}".connector_versions (
        connector_id uuid NOT NULL,
        version integer NOT NULL,
        config jsonb NOT NULL,
        PRIMARY KEY (connector_id, version)
      )`);
    await runner.query(`INSERT INTO "${schema}".connector_versions (connector_id, version, config) SELECT connector_id, version, config FROM "${schema}".connectors`);
    await runner.query(`
      CREATE TABLE "${schema}".connector_health (
        connector_id uuid PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('ok', 'failing')),
        last_error_code text,
        failing_since timestamptz,
        last_failure_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP TABLE "${schema}".connector_health`);
    await runner.query(`DROP TABLE "${schema}".connector_versions`);
  }
}
