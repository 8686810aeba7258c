import { MigrationInterface, QueryRunner } from 'typeorm';

/** Workspaces and their API keys (only a SHA-256 of each key's secret is stored). */
export class GatewayCore1764400000000 implements MigrationInterface {
  name = 'GatewayCore1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE TABLE "${schema}".workspaces (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE "${schema}".api_keys (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES "${schema}".workspaces (id) ON DELETE CASCADE,
        public_id text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL,
        name text NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE INDEX api_keys_workspace_idx ON "${schema}".api_keys (workspace_id, created_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TABLE "${schema}".api_keys`);
    await runner.query(`DROP TABLE "${schema}".workspaces`);
  }
}
