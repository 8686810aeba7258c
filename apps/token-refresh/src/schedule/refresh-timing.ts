/**
 * When a credential is due, and how long to wait after an unanswered TokenExpired.
 * Pure functions: the scheduler and the TokenIssued handler share them.
 */

export interface IssuedCredentialTiming {
  issuedAt: Date;
  expiresAt: Date | null;
  refreshable: boolean;
  refreshMarginSeconds: number;
}

export interface TimingPolicy {
  marginMaxLifetimePercent: number;
  assumedLifetimeSeconds: number | undefined;
}

/**
 * The margin is the connector's, but never more than a share of the token's lifetime, so that a
 * 5-second token is refreshed after ~2.5 s instead of immediately and forever.
 */
export function effectiveMarginMs(timing: IssuedCredentialTiming, expiresAt: Date, policy: TimingPolicy): number {
  const lifetimeMs = Math.max(0, expiresAt.getTime() - timing.issuedAt.getTime());
  return Math.min(timing.refreshMarginSeconds * 1000, (lifetimeMs * policy.marginMaxLifetimePercent) / 100);
}

/**
 * `null` keeps the connection off the schedule: no expiry and no assumed lifetime (valid until a
 * caller reports a 401). A non-refreshable credential is due at its expiry (TokenExpired reason
 * `expired`); a refreshable one at expiry minus the effective margin.
 */
export function firstDueAt(timing: IssuedCredentialTiming, policy: TimingPolicy): Date | null {
  let expiresAt = timing.expiresAt;
  if (!expiresAt) {
    if (!timing.refreshable || policy.assumedLifetimeSeconds === undefined) return null;
    expiresAt = new Date(timing.issuedAt.getTime() + policy.assumedLifetimeSeconds * 1000);
  }
  if (!timing.refreshable) return expiresAt;
  return new Date(expiresAt.getTime() - effectiveMarginMs(timing, expiresAt, policy));
}

export interface BackoffPolicy {
  leaseSeconds: number;
  capSeconds: number;
}

/**
 * How long after the `attempt`-th TokenExpired (1-based) the connection is due again when no newer
 * credential arrived: the lease doubles per attempt up to the cap, plus up to 25 % jitter so that
 * connections that failed together do not retry together.
 */
export function leaseDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const base = Math.min(policy.capSeconds, policy.leaseSeconds * 2 ** exponent) * 1000;
  return Math.round(base * (1 + 0.25 * random()));
}
