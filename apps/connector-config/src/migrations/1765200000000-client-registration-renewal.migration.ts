import { MigrationInterface, QueryRunner } from 'typeorm';

/** When a registered client's current secret was issued, and the lease of the instance renewing it. */
export class ClientRegistrationRenewal1765200000000 implements MigrationInterface {
  name = 'ClientRegistrationRenewal1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`ALTER TABLE "${schema}".client_registrations ADD COLUMN secret_issued_at timestamptz, ADD COLUMN renewal_lease_until timestamptz`);
    await runner.query(`UPDATE "${schema}".client_registrations SET secret_issued_at = registered_at`);
    await runner.query(`ALTER TABLE "${schema}".client_registrations ALTER COLUMN secret_issued_at SET NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`ALTER TABLE "${schema}".client_registrations DROP COLUMN secret_issued_at, DROP COLUMN renewal_lease_until`);
  }
}
