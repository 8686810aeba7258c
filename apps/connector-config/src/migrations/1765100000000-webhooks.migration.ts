import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The webhooks module's own tables (apps/connector-config/src/webhooks; no other code reads them):
 * endpoints, the delivery queue and every attempt. See ADR 0015.
 */
export class Webhooks1765100000000 implements MigrationInterface {
  name = 'Webhooks1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE TABLE "${schema}".webhook_endpoints (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        event_types text[] NOT NULL,
        enabled boolean NOT NULL,
        disabled_reason text CHECK (disabled_reason IN ('by_request', 'failing')),
        failed_deliveries_in_a_row integer NOT NULL DEFAULT 0,
        sealed_secret text NOT NULL,
        previous_sealed_secret text,
        previous_secret_expires_at timestamptz,
        secret_rotated_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX webhook_endpoints_by_workspace_idx ON "${schema}".webhook_endpoints (workspace_id, created_at DESC)`);
    await runner.query(`
      CREATE TABLE "${schema}".webhook_deliveries (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        endpoint_id uuid NOT NULL REFERENCES "${schema}".webhook_endpoints (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        ordering_key text NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        attempts_this_round integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_id uuid,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL,
        last_attempt_at timestamptz,
        completed_at timestamptz,
        UNIQUE (endpoint_id, event_id)
      )`);
    await runner.query(`CREATE INDEX webhook_deliveries_due_idx ON "${schema}".webhook_deliveries (next_attempt_at, seq) WHERE status = 'pending'`);
    await runner.query(`CREATE INDEX webhook_deliveries_ordering_idx ON "${schema}".webhook_deliveries (endpoint_id, ordering_key, seq) WHERE status = 'pending'`);
    await runner.query(`CREATE INDEX webhook_deliveries_by_endpoint_idx ON "${schema}".webhook_deliveries (endpoint_id, seq DESC)`);
    await runner.query(`
      CREATE TABLE "${schema}".webhook_attempts (
        id uuid PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES "${schema}".webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'http_error', 'timeout', 'network_error', 'refused', 'interrupted')),
        status_code integer,
        duration_ms integer,
        response_snippet text,
        error text,
        started_at timestamptz NOT NULL,
        UNIQUE (delivery_id, attempt)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TABLE "${schema}".webhook_attempts`);
    await runner.query(`DROP TABLE "${schema}".webhook_deliveries`);
    await runner.query(`DROP TABLE "${schema}".webhook_endpoints`);
  }
}
