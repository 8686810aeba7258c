import { MigrationInterface, QueryRunner } from 'typeorm';
import { connectorProjectionTableSql } from '@cb/connector-projection';
import { schemaOf } from '@cb/platform';

/**
 * The connector projection (from ConnectorActivated/Deactivated), connect sessions (session tokens
 * hashed), OAuth states (hashed, single use, PKCE verifier sealed) and the connections this service
 * has seen issued (so that a re-authorization names a real connection).
 */
export class ConnectTables1764400000000 implements MigrationInterface {
  name = 'ConnectTables1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(connectorProjectionTableSql(schema, ["secret_field_defaults text[] NOT NULL DEFAULT '{}'"]));
    await runner.query(`
      CREATE TABLE "${schema}".connect_sessions (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        connector_id uuid NOT NULL,
        connector_version integer NOT NULL,
        mode text NOT NULL,
        connection_id uuid NOT NULL,
        reconnect boolean NOT NULL,
        end_user_id text NOT NULL,
        tenant text,
        attributes jsonb NOT NULL DEFAULT '{}',
        return_url text,
        token_hash text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('pending', 'authorized', 'completed', 'failed')),
        error_code text,
        error_reason text,
        expires_at timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX connect_sessions_workspace ON "${schema}".connect_sessions (workspace_id, created_at)`);
    await runner.query(`
      CREATE TABLE "${schema}".oauth_states (
        state_hash text PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES "${schema}".connect_sessions (id) ON DELETE CASCADE,
        sealed_code_verifier text,
        redirect_uri text NOT NULL,
        expected_issuer text,
        requested_scopes jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX oauth_states_session ON "${schema}".oauth_states (session_id)`);
    await runner.query(`
      CREATE TABLE "${schema}".known_connections (
        connection_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        connector_id uuid NOT NULL,
        end_user_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    for (const table of ['known_connections', 'oauth_states', 'connect_sessions', 'connectors']) await runner.query(`DROP TABLE "${schema}".${table}`);
  }
}
