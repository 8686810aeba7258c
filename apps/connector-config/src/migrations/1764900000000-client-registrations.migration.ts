import { MigrationInterface, QueryRunner } from 'typeorm';

/** Clients the broker registered itself (RFC 7591), with what managing them needs (RFC 7592). */
export class ClientRegistrations1764900000000 implements MigrationInterface {
  name = 'ClientRegistrations1764900000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`
      CREATE TABLE "${schema}".client_registrations (
        connector_id uuid PRIMARY KEY REFERENCES "${schema}".connectors (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL,
        registration_endpoint text NOT NULL,
        registration_client_uri text,
        sealed_registration_access_token text,
        client_secret_expires_at timestamptz,
        registered_at timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP TABLE "${schema}".client_registrations`);
  }
}
