import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * Every update or deletion of a connection row notifies `<schema>.connections_changed` with the
 * connection's id, so each instance drops the row it keeps for credential reads and proxied calls
 * as the change commits. Inserts need no notice: a missing row is never kept.
 */
export class ConnectionChanges1767400000000 implements MigrationInterface {
  name = 'ConnectionChanges1767400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`
      CREATE FUNCTION "${schema}".notify_connection_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.connections_changed', OLD.id::text);
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER connections_changed AFTER UPDATE OR DELETE ON "${schema}".connections
      FOR EACH ROW EXECUTE FUNCTION "${schema}".notify_connection_changed()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP TRIGGER connections_changed ON "${schema}".connections`);
    await runner.query(`DROP FUNCTION "${schema}".notify_connection_changed()`);
  }
}
