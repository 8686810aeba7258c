import { refreshDueAt, retryDelayMs, type BackoffPolicy } from '@cb/refresh-policy';

/**
 * When a credential is due, and how long to wait after an unanswered TokenExpired. The rules are
 * @cb/refresh-policy's (shared with token-issuance's read path); this adds the schedule's own
 * cases: non-refreshable credentials and tokens without expiry.
 */

export interface IssuedCredentialTiming {
  issuedAt: Date;
  expiresAt: Date | null;
  refreshable: boolean;
  refreshMarginSeconds: number;
}

export interface TimingPolicy {
  assumedLifetimeSeconds: number | undefined;
}

/**
 * `null` keeps the connection off the schedule: no expiry and no assumed lifetime (valid until a
 * caller reports a 401). A non-refreshable credential is due at its expiry (TokenExpired reason
 * `expired`); a refreshable one when the shared rule says so.
 */
export function firstDueAt(timing: IssuedCredentialTiming, policy: TimingPolicy): Date | null {
  let expiresAt = timing.expiresAt;
  if (!expiresAt) {
    if (!timing.refreshable || policy.assumedLifetimeSeconds === undefined) return null;
    expiresAt = new Date(timing.issuedAt.getTime() + policy.assumedLifetimeSeconds * 1000);
  }
  if (!timing.refreshable) return expiresAt;
  return refreshDueAt({ issuedAt: timing.issuedAt, expiresAt, refreshMarginSeconds: timing.refreshMarginSeconds });
}

/**
 * How long after the `attempt`-th TokenExpired (1-based) the connection is due again when no newer
 * credential arrived: the lease, doubling to the cap, bounded by what is left of the token's lifetime.
 */
export function leaseDelayMs(attempt: number, expiresAt: Date | null, now: Date, policy: BackoffPolicy, random?: () => number): number {
  return retryDelayMs(attempt, expiresAt ? expiresAt.getTime() - now.getTime() : null, policy, random);
}
