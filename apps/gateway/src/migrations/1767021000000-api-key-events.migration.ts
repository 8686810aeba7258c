import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * The audit of API keys: each creation and revocation, by which key (null: the CLI), with the key's
 * name and scopes; never its secret or hash. Kept after the key or its workspace is gone.
 */
export class ApiKeyEvents1767021000000 implements MigrationInterface {
  name = 'ApiKeyEvents1767021000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`CREATE TABLE "${schema}".api_key_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workspace_id uuid NOT NULL,
      api_key_id uuid NOT NULL,
      actor_api_key_id uuid,
      action text NOT NULL CHECK (action IN ('created', 'revoked')),
      name text NOT NULL,
      scopes text[] NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX api_key_events_audit ON "${schema}".api_key_events (workspace_id, at DESC, id DESC)`);
    await runner.query(`CREATE INDEX api_key_events_retention ON "${schema}".api_key_events USING brin (at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${schemaOf(runner)}".api_key_events`);
  }
}
