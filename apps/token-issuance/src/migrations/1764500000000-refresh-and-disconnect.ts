import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * Refresh bookkeeping (no secret): per connection, the attempts against the current credential
 * version, a provider's Retry-After, and whether this service marked it needs_reconnect (so that a
 * reconnect can announce the recovery); a short history of refresh attempts; and the outcome of
 * each disconnect (revocation at the provider).
 */
export class RefreshAndDisconnect1764500000000 implements MigrationInterface {
  name = 'RefreshAndDisconnect1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`
      CREATE TABLE "${schema}".refresh_states (
        connection_id uuid PRIMARY KEY,
        credential_version integer NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0,
        last_attempt_at timestamptz,
        last_outcome text,
        last_error_code text,
        not_before timestamptz,
        needs_reconnect_error text,
        needs_reconnect_since timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE "${schema}".refresh_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        connection_id uuid NOT NULL,
        credential_version integer NOT NULL,
        trigger text NOT NULL,
        outcome text NOT NULL,
        error_code text,
        attempted_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await runner.query(`CREATE INDEX refresh_attempts_connection ON "${schema}".refresh_attempts (connection_id, id)`);
    await runner.query(`
      CREATE TABLE "${schema}".connection_deletions (
        connection_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        connector_id uuid NOT NULL,
        revocation text NOT NULL,
        revocation_error text,
        deleted_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    for (const table of ['connection_deletions', 'refresh_attempts', 'refresh_states']) await runner.query(`DROP TABLE "${schema}".${table}`);
  }
}
