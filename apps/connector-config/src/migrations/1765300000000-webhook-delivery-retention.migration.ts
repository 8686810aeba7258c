import { MigrationInterface, QueryRunner } from 'typeorm';

/** Finished deliveries by when they finished, for the pruner (WEBHOOK_RETENTION_DAYS). */
export class WebhookDeliveryRetention1765300000000 implements MigrationInterface {
  name = 'WebhookDeliveryRetention1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`CREATE INDEX webhook_deliveries_finished_idx ON "${schema}".webhook_deliveries (completed_at) WHERE status <> 'pending'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = (runner.connection.options as { schema?: string }).schema as string;
    await runner.query(`DROP INDEX "${schema}".webhook_deliveries_finished_idx`);
  }
}
