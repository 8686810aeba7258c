import { outboundPolicyFromEnv, type OutboundPolicy } from '@cb/oauth-client';
import { ConfigReader, fromEnv } from '@cb/platform';
import { parseRetrySchedule } from './deliveries/retry-schedule';

/** Injection token for the module's {@link WebhookSettings}. */
export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

export interface WebhookSettings {
  /** RUN_MODE=development: endpoint URLs may use http on loopback, as connector URLs may. */
  allowInsecureLoopback: boolean;
  /** Waits after the first, second… failed attempt (WEBHOOK_RETRY_SCHEDULE); one attempt more than waits, then the delivery fails. */
  retryScheduleMs: number[];
  /** How long one attempt may take, connect to last byte read (WEBHOOK_ATTEMPT_TIMEOUT_MS). */
  attemptTimeoutMs: number;
  /** Attempts under way at once in this instance (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** Attempts under way at once to one endpoint (WEBHOOK_CONCURRENCY_PER_ENDPOINT). */
  concurrencyPerEndpoint: number;
  /** Deliveries in a row that exhaust their retries before the endpoint is disabled as failing (WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES). */
  disableAfterFailedDeliveries: number;
  /** How often the queue is looked at when nothing woke it (WEBHOOK_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** How long finished deliveries and their attempts are kept (WEBHOOK_RETENTION_DAYS). */
  retentionDays: number;
  /** How often finished deliveries past retention are deleted (WEBHOOK_PRUNE_INTERVAL_MS). */
  pruneIntervalMs: number;
  /** Where deliveries may connect: the same policy and variables as token-issuance's provider calls. */
  outbound: OutboundPolicy;
}

const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,8h,8h';

export const webhookSettingsReader: ConfigReader<WebhookSettings> = (env) => ({
  allowInsecureLoopback: fromEnv.oneOf('RUN_MODE', ['development', 'production'] as const, 'production')(env) === 'development',
  retryScheduleMs: fromEnv.parsed('WEBHOOK_RETRY_SCHEDULE', parseRetrySchedule, DEFAULT_RETRY_SCHEDULE)(env),
  attemptTimeoutMs: fromEnv.integer('WEBHOOK_ATTEMPT_TIMEOUT_MS', 15000, { min: 100, max: 120000 })(env),
  concurrency: fromEnv.integer('WEBHOOK_CONCURRENCY', 16, { min: 1, max: 1000 })(env),
  concurrencyPerEndpoint: fromEnv.integer('WEBHOOK_CONCURRENCY_PER_ENDPOINT', 4, { min: 1, max: 100 })(env),
  disableAfterFailedDeliveries: fromEnv.integer('WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES', 5, { min: 1, max: 10000 })(env),
  pollIntervalMs: fromEnv.integer('WEBHOOK_POLL_INTERVAL_MS', 1000, { min: 20, max: 60000 })(env),
  retentionDays: fromEnv.integer('WEBHOOK_RETENTION_DAYS', 30, { min: 1, max: 3650 })(env),
  pruneIntervalMs: fromEnv.integer('WEBHOOK_PRUNE_INTERVAL_MS', 3_600_000, { min: 100, max: 86_400_000 })(env),
  outbound: outboundPolicyFromEnv(env),
});
