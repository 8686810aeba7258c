import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to an API key row (revocation, deletion, a workspace's removal, an operator's SQL)
 * notifies `<schema>.api_keys_changed` with the key's public id, so every gateway instance drops its cached
 * copy when the change commits.
 */
export class ApiKeyChanges1765100000000 implements MigrationInterface {
  name = 'ApiKeyChanges1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE FUNCTION "${schema}".notify_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.api_keys_changed', OLD.public_id);
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER api_keys_changed AFTER UPDATE OF secret_hash, scopes, revoked_at, workspace_id, public_id OR DELETE ON "${schema}".api_keys
      FOR EACH ROW EXECUTE FUNCTION "${schema}".notify_api_key_changed()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TRIGGER api_keys_changed ON "${schema}".api_keys`);
    await runner.query(`DROP FUNCTION "${schema}".notify_api_key_changed()`);
  }
}
