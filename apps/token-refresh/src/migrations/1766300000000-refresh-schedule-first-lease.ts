import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * The rows whose first TokenExpired is out (attempts = 1, due again when the lease ends), which the
 * scheduler counts before each claim to bound what it has announced and not yet seen answered. A
 * partial index keeps that count at most the bound's entries, whatever the number of connections.
 */
export class RefreshScheduleFirstLease1766300000000 implements MigrationInterface {
  name = 'RefreshScheduleFirstLease1766300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`CREATE INDEX refresh_schedule_first_lease ON "${schema}".refresh_schedule (due_at) WHERE attempts = 1 AND due_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP INDEX "${schema}".refresh_schedule_first_lease`);
  }
}
