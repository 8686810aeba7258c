import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/** While refreshes of a connection fail: when the schedule tries next (from TokenExpired). No secret. */
export class RefreshNextAttempt1764600000000 implements MigrationInterface {
  name = 'RefreshNextAttempt1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`ALTER TABLE "${schema}".refresh_states ADD COLUMN next_attempt_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`ALTER TABLE "${schema}".refresh_states DROP COLUMN next_attempt_at`);
  }
}
