import { ConfigReader, fromEnv } from '@cb/platform';
import { BucketRule, parseBucketRule } from './token-bucket';

/** The limited routes. Each bucket belongs to one gateway process (see docs/RELIABILITY.md). */
export interface RateLimits {
  /** `GET /oauth/callback`, per client IP. */
  callback: BucketRule | null;
  /** `POST /v1/connect-sessions`, per workspace. */
  connectSessions: BucketRule | null;
  /** `POST /v1/connections/:id/credential`, per workspace. */
  credentialReads: BucketRule | null;
}

/** Generous defaults: a burst of a few hundred, then tens per second, per gateway instance. */
export const rateLimitReaders: { rateLimits: ConfigReader<RateLimits> } = {
  rateLimits: (env) => ({
    callback: fromEnv.parsed('RATE_LIMIT_CALLBACK', parseBucketRule, '300,50')(env),
    connectSessions: fromEnv.parsed('RATE_LIMIT_CONNECT_SESSIONS', parseBucketRule, '300,50')(env),
    credentialReads: fromEnv.parsed('RATE_LIMIT_CREDENTIAL_READS', parseBucketRule, '1000,200')(env),
  }),
};
