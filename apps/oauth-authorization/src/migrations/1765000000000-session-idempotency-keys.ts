import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * An opening request retried with the same `Idempotency-Key` finds the session it already made
 * instead of leaving an orphan pending beside a new one. The request's fingerprint tells a retry
 * from a different request that reuses the key.
 */
export class SessionIdempotencyKeys1765000000000 implements MigrationInterface {
  name = 'SessionIdempotencyKeys1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`ALTER TABLE "${schema}".connect_sessions ADD COLUMN idempotency_key text, ADD COLUMN request_fingerprint text`);
    await runner.query(`CREATE UNIQUE INDEX connect_sessions_idempotency_key ON "${schema}".connect_sessions (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP INDEX "${schema}".connect_sessions_idempotency_key`);
    await runner.query(`ALTER TABLE "${schema}".connect_sessions DROP COLUMN idempotency_key, DROP COLUMN request_fingerprint`);
  }
}
