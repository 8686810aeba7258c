import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * The end user's name, e-mail and organization a session was opened with, carried to the
 * connection by CodeReceived / CredentialsSubmitted. Null for sessions that named only an id.
 */
export class SessionEndUserDetails1766400000000 implements MigrationInterface {
  name = 'SessionEndUserDetails1766400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${schemaOf(runner)}".connect_sessions ADD COLUMN end_user_details jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${schemaOf(runner)}".connect_sessions DROP COLUMN end_user_details`);
  }
}
