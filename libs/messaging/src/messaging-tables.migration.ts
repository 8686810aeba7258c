import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * The outbox (events waiting for Kafka) and the inbox (event ids already handled), created in the
 * schema of whichever service runs this migration.
 */
export class MessagingTables1764300000000 implements MigrationInterface {
  name = 'MessagingTables1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`
      CREATE TABLE "${schema}".outbox (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        message_key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await runner.query(`CREATE INDEX outbox_pending ON "${schema}".outbox (seq) WHERE published_at IS NULL`);
    await runner.query(`
      CREATE TABLE "${schema}".inbox (
        event_id uuid PRIMARY KEY,
        topic text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP TABLE "${schema}".inbox`);
    await runner.query(`DROP TABLE "${schema}".outbox`);
  }
}
