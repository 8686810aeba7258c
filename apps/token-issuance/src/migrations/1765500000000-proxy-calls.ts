import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/** The audit of proxied calls: one row per call, never a query string, a header or a body. */
export class ProxyCalls1765500000000 implements MigrationInterface {
  name = 'ProxyCalls1765500000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`CREATE TABLE "${schema}".proxy_calls (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workspace_id uuid NOT NULL,
      connection_id uuid NOT NULL,
      api_key_id text NOT NULL,
      method text NOT NULL,
      path text NOT NULL,
      status integer NOT NULL,
      error_code text,
      attempts integer NOT NULL,
      duration_ms integer NOT NULL,
      request_bytes bigint NOT NULL,
      response_bytes bigint NOT NULL,
      called_at timestamptz NOT NULL
    )`);
    await runner.query(`CREATE INDEX proxy_calls_connection ON "${schema}".proxy_calls (connection_id, called_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${schemaOf(runner)}".proxy_calls`);
  }
}
