import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/** The scopes a session asked for beyond its connector's defaults (incremental consent); none for older sessions. */
export class SessionExtraScopes1767300000000 implements MigrationInterface {
  name = 'SessionExtraScopes1767300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${schemaOf(runner)}".connect_sessions ADD COLUMN extra_scopes jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${schemaOf(runner)}".connect_sessions DROP COLUMN extra_scopes`);
  }
}
