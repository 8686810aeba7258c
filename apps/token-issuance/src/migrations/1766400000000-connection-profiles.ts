import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * What a product says about a connection (the end user's name, e-mail and organization, its own
 * metadata and tags), beside the connection rather than in it: the credential read loads the
 * connections row on every call and must not carry any of this. Tags are a JSON object under a GIN
 * index, so `tags @> '{"k":"v"}'` filters by several tags at once.
 */
export class ConnectionProfiles1766400000000 implements MigrationInterface {
  name = 'ConnectionProfiles1766400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`CREATE TABLE "${schema}".connection_profiles (
      connection_id uuid PRIMARY KEY REFERENCES "${schema}".connections (id) ON DELETE CASCADE,
      workspace_id uuid NOT NULL,
      end_user_display_name text,
      end_user_email text,
      end_user_organization_id text,
      metadata jsonb NOT NULL DEFAULT '{}',
      tags jsonb NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX connection_profiles_tags ON "${schema}".connection_profiles USING GIN (tags jsonb_path_ops)`);
    await runner.query(
      `CREATE INDEX connection_profiles_organization ON "${schema}".connection_profiles (workspace_id, end_user_organization_id) WHERE end_user_organization_id IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${schemaOf(runner)}".connection_profiles`);
  }
}
