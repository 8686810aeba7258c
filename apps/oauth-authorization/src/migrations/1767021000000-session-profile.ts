import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * The metadata and tags a session was opened with, carried to the connection by CodeReceived /
 * CredentialsSubmitted. Null for sessions that gave neither.
 */
export class SessionProfile1767021000000 implements MigrationInterface {
  name = 'SessionProfile1767021000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${schemaOf(runner)}".connect_sessions ADD COLUMN profile jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${schemaOf(runner)}".connect_sessions DROP COLUMN profile`);
  }
}
