import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * A refresh grant about to be sent, committed on its own before the request: if the refresh's
 * transaction never commits (the process died, the database went away), the row stays and tells
 * the next attempt that the provider may have rotated the refresh token. No secret.
 */
export class RefreshInFlight1764800000000 implements MigrationInterface {
  name = 'RefreshInFlight1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`
      CREATE TABLE "${schema}".refresh_in_flight (
        connection_id uuid PRIMARY KEY,
        credential_version integer NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP TABLE "${schema}".refresh_in_flight`);
  }
}
