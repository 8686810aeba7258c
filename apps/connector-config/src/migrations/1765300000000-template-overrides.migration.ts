import { MigrationInterface, QueryRunner } from 'typeorm';

/** A workspace's changes to a provider template (a merge patch, never a secret), one row per template. */
export class TemplateOverrides1765300000000 implements MigrationInterface {
  name = 'TemplateOverrides1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE TABLE "${schema}".template_overrides (
        workspace_id uuid NOT NULL,
        template_id text NOT NULL,
        override jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, template_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TABLE "${schema}".template_overrides`);
  }
}
