import { MigrationInterface, QueryRunner } from 'typeorm';
import { connectorProjectionTableSql } from '@cb/connector-projection';
import { schemaOf } from '@cb/platform';

/**
 * The connector projection (client secret and secret field defaults re-sealed for this table), the
 * vault of connections (one sealed credential per connection), code redemptions (one per connect
 * session, committed before the token request) and the audit of credential reads (no secret).
 */
export class VaultTables1764400000000 implements MigrationInterface {
  name = 'VaultTables1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(connectorProjectionTableSql(schema, ['sealed_client_secret text', "sealed_field_defaults jsonb NOT NULL DEFAULT '{}'"]));
    await runner.query(`
      CREATE TABLE "${schema}".connections (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        connector_id uuid NOT NULL,
        connector_version integer NOT NULL,
        mode text NOT NULL,
        end_user_id text NOT NULL,
        tenant text,
        attributes jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('active', 'needs_reconnect')),
        credential_version integer NOT NULL,
        sealed_credential text NOT NULL,
        credential_key_id text NOT NULL,
        scopes jsonb NOT NULL DEFAULT '[]',
        token_type text,
        expires_at timestamptz,
        refreshable boolean NOT NULL,
        refresh_margin_seconds integer NOT NULL DEFAULT 0,
        last_session_id uuid,
        last_refreshed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX connections_workspace ON "${schema}".connections (workspace_id, created_at, id)`);
    await runner.query(`CREATE INDEX connections_workspace_connector ON "${schema}".connections (workspace_id, connector_id)`);
    await runner.query(`CREATE INDEX connections_workspace_end_user ON "${schema}".connections (workspace_id, end_user_id)`);
    await runner.query(`
      CREATE TABLE "${schema}".code_redemptions (
        session_id uuid PRIMARY KEY,
        connection_id uuid NOT NULL,
        event_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('redeeming', 'succeeded', 'failed')),
        error_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE "${schema}".credential_reads (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id uuid NOT NULL,
        connection_id uuid NOT NULL,
        api_key_id text NOT NULL,
        include_refresh_token boolean NOT NULL,
        credential_version integer NOT NULL,
        read_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX credential_reads_connection ON "${schema}".credential_reads (workspace_id, connection_id, read_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    for (const table of ['credential_reads', 'code_redemptions', 'connections', 'connectors']) await runner.query(`DROP TABLE "${schema}".${table}`);
  }
}
