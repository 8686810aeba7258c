import { ConfigReader, fromEnv, loadServiceConfig, ServiceConfig } from '@cb/platform';

/** How the schedule behaves; every value has a production default and can be tightened in tests. */
export interface RefreshSettings {
  /** How often the scheduler looks for due connections when the previous batch was not full. */
  refreshPollIntervalMs: number;
  /** Due connections claimed per transaction. */
  refreshBatchSize: number;
  /**
   * After TokenExpired, how long the refresh may take before the connection is due again (attempt 1);
   * shorter while the token is valid, so that retries happen before it expires (@cb/refresh-policy).
   */
  refreshLeaseSeconds: number;
  /** The lease doubles per unanswered attempt up to this cap. */
  refreshBackoffCapSeconds: number;
  /**
   * The most connections whose first TokenExpired is out and neither answered (a newer credential)
   * nor past its lease; the scheduler claims no more while this many are. Kept small enough to be
   * refreshed within one lease, so that a backlog is announced once instead of again at the lease's end.
   */
  refreshMaxUnanswered: number;
  /**
   * For refreshable credentials whose provider gave no expiry: refresh this long after issue.
   * Unset (the default) means such tokens are treated as valid until a caller reports a 401.
   */
  refreshAssumedLifetimeSeconds: number | undefined;
}

export type TokenRefreshConfig = ServiceConfig & RefreshSettings;

/** The default of `REFRESH_MAX_UNANSWERED` (see {@link RefreshSettings.refreshMaxUnanswered}). */
export const DEFAULT_MAX_UNANSWERED = 500;

/** Injection token for token-refresh's validated {@link TokenRefreshConfig}. */
export const TOKEN_REFRESH_CONFIG = Symbol('TOKEN_REFRESH_CONFIG');

const refreshSettingsReaders: { [K in keyof RefreshSettings]: ConfigReader<RefreshSettings[K]> } = {
  refreshPollIntervalMs: fromEnv.integer('REFRESH_POLL_INTERVAL_MS', 500, { min: 10, max: 60_000 }),
  refreshBatchSize: fromEnv.integer('REFRESH_BATCH_SIZE', 100, { min: 1, max: 10_000 }),
  refreshLeaseSeconds: fromEnv.integer('REFRESH_LEASE_SECONDS', 30, { min: 1, max: 3600 }),
  refreshBackoffCapSeconds: fromEnv.integer('REFRESH_BACKOFF_CAP_SECONDS', 900, { min: 1, max: 86_400 }),
  refreshMaxUnanswered: fromEnv.integer('REFRESH_MAX_UNANSWERED', DEFAULT_MAX_UNANSWERED, { min: 1, max: 100_000 }),
  refreshAssumedLifetimeSeconds: fromEnv.optional('REFRESH_ASSUMED_LIFETIME_SECONDS', fromEnv.integer('REFRESH_ASSUMED_LIFETIME_SECONDS', undefined, { min: 60 })),
};

/** token-refresh only schedules: it opens and seals nothing, so it runs without the vault keyring. */
export function loadTokenRefreshConfig(env: NodeJS.ProcessEnv = process.env): TokenRefreshConfig {
  return loadServiceConfig<RefreshSettings>('token-refresh', 3004, refreshSettingsReaders, env, { keyring: false });
}
