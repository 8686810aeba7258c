import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * The in-flight mark becomes a lease: who holds it and until when. A live lease means a provider
 * call for the connection is under way somewhere (no row lock is held across it); an expired one
 * left for the current credential version means that call never stored its answer.
 */
export class RefreshLeases1765300000000 implements MigrationInterface {
  name = 'RefreshLeases1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`ALTER TABLE "${schema}".refresh_in_flight
      ADD COLUMN lease_id uuid NOT NULL DEFAULT gen_random_uuid(),
      ADD COLUMN lease_until timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN purpose text NOT NULL DEFAULT 'refresh'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`ALTER TABLE "${schema}".refresh_in_flight DROP COLUMN lease_id, DROP COLUMN lease_until, DROP COLUMN purpose`);
  }
}
