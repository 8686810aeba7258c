import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to the connector projection notifies `<schema>.connectors_changed` with the
 * connector's id, so each instance drops the connector it keeps for credential reads as the change commits.
 */
export class ConnectorChanges1765100000000 implements MigrationInterface {
  name = 'ConnectorChanges1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE FUNCTION "${schema}".notify_connector_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.connectors_changed', COALESCE(NEW.connector_id, OLD.connector_id)::text);
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER connectors_changed AFTER INSERT OR UPDATE OR DELETE ON "${schema}".connectors
      FOR EACH ROW EXECUTE FUNCTION "${schema}".notify_connector_changed()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TRIGGER connectors_changed ON "${schema}".connectors`);
    await runner.query(`DROP FUNCTION "${schema}".notify_connector_changed()`);
  }
}
