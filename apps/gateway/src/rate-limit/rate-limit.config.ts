import { ConfigReader, fromEnv } from '@cb/platform';
import { BucketRule, parseBucketRule } from './token-bucket';

/** Whose bucket a request spends: its workspace (after the API key guard) or its client address (after the trusted proxies). */
export type BucketOwner = 'workspace' | 'clientAddress';

/** Each limit: its variable, its default and whose bucket it is. Routes name their limit with `@RateLimit(…)`. */
export const LIMITS = {
  /** `GET /oauth/callback`. */
  callback: { variable: 'RATE_LIMIT_CALLBACK', fallback: '300,50', per: 'clientAddress' },
  /** `POST /v1/connect-sessions`. */
  connectSessions: { variable: 'RATE_LIMIT_CONNECT_SESSIONS', fallback: '300,50', per: 'workspace' },
  /** `GET /v1/connect-sessions/:id`, the application's polling (a long poll waits upstream). */
  sessionReads: { variable: 'RATE_LIMIT_SESSION_READS', fallback: '600,100', per: 'workspace' },
  /** `POST /v1/connections/:id/credential`. */
  credentialReads: { variable: 'RATE_LIMIT_CREDENTIAL_READS', fallback: '1000,200', per: 'workspace' },
  /** `/v1/proxy/:connectionId/*`, every proxied call. */
  proxy: { variable: 'RATE_LIMIT_PROXY', fallback: '1000,200', per: 'workspace' },
  /** `POST /v1/connections/:id/report-unauthorized`: each report may send a refresh to the provider. */
  reportUnauthorized: { variable: 'RATE_LIMIT_REPORT_UNAUTHORIZED', fallback: '100,20', per: 'workspace' },
  /**
   * The end user's browser: `/v1/connect/*` (session, authorize, credentials) and the `/ui/` files
   * (the dialog page and its scripts), one bucket for all of them. By client address, not by session
   * token: the token is checked upstream, so a made-up token per request would get a fresh bucket.
   */
  connectDialog: { variable: 'RATE_LIMIT_CONNECT_DIALOG', fallback: '300,50', per: 'clientAddress' },
} as const satisfies Record<string, { variable: string; fallback: string; per: BucketOwner }>;

export type LimitName = keyof typeof LIMITS;

export interface RateLimits {
  /** A rule per limit; null when the limit is `off`. */
  rules: Record<LimitName, BucketRule | null>;
  /** `RATE_LIMIT_LEASE`: the most tokens an instance takes from a shared bucket at once (see leaseSize). */
  maxLease: number;
}

/** Generous defaults: a burst of a few hundred, then tens per second, shared by every gateway instance. */
export const rateLimitReaders: { rateLimits: ConfigReader<RateLimits> } = {
  rateLimits: (env) => ({
    rules: Object.fromEntries(
      Object.entries(LIMITS).map(([name, { variable, fallback }]) => [name, fromEnv.parsed(variable, parseBucketRule, fallback)(env)]),
    ) as Record<LimitName, BucketRule | null>,
    maxLease: fromEnv.integer('RATE_LIMIT_LEASE', 20, { min: 1, max: 10_000 })(env),
  }),
};
