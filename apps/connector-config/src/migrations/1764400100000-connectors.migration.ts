import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connectors and the versions announced to other services. `config` holds the configuration
 * without secrets; `sealed_secrets` maps each secret's path to its AES-256-GCM ciphertext.
 */
export class Connectors1764400100000 implements MigrationInterface {
  name = 'Connectors1764400100000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE TABLE "${schema}".connectors (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        slug text NOT NULL,
        name text NOT NULL,
        mode text NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'active', 'inactive')),
        version integer NOT NULL CHECK (version >= 1),
        config jsonb NOT NULL,
        sealed_secrets jsonb NOT NULL DEFAULT '{}'::jsonb,
        template_id text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        activated_at timestamptz,
        deactivated_at timestamptz,
        CONSTRAINT connectors_workspace_slug_key UNIQUE (workspace_id, slug)
      )`);
    await runner.query(`CREATE INDEX connectors_listing_idx ON "${schema}".connectors (workspace_id, created_at DESC, id DESC)`);
    await runner.query(`
      CREATE TABLE "${schema}".connector_versions (
        connector_id uuid NOT NULL REFERENCES "${schema}".connectors (id) ON DELETE CASCADE,
        version integer NOT NULL,
        config jsonb NOT NULL,
        announced_at timestamptz NOT NULL,
        PRIMARY KEY (connector_id, version)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TABLE "${schema}".connector_versions`);
    await runner.query(`DROP TABLE "${schema}".connectors`);
  }
}
