import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@cb/platform';

/**
 * One row per connection with a credential: when it is next due and how many TokenExpired events
 * went unanswered for the current credential version. No secrets.
 *
 * `due_at IS NULL` means off the schedule (no expiry, needs reconnect, or expired and not
 * refreshable). The partial index on `due_at` makes claiming due rows cost what is due, whatever
 * the number of connections.
 */
export class RefreshSchedule1764400000000 implements MigrationInterface {
  name = 'RefreshSchedule1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`
      CREATE TABLE "${schema}".refresh_schedule (
        connection_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        connector_id uuid NOT NULL,
        end_user_id text NOT NULL,
        mode text NOT NULL,
        credential_version integer NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz,
        refreshable boolean NOT NULL,
        refresh_margin_seconds integer NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconnect')),
        status_changed_at timestamptz,
        due_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        attempt_times timestamptz[] NOT NULL DEFAULT '{}',
        last_reason text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX refresh_schedule_due ON "${schema}".refresh_schedule (due_at) WHERE due_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = schemaOf(runner);
    await runner.query(`DROP TABLE "${schema}".refresh_schedule`);
  }
}
