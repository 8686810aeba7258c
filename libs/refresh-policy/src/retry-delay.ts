/**
 * How long to wait before the next refresh attempt when the previous one went unanswered or failed:
 * exponential backoff, bounded by the token's remaining lifetime.
 */

/** Never retry sooner than this, however little lifetime is left. */
export const MIN_RETRY_DELAY_MS = 1000;

/** While the token is valid, the first retries split what is left of its lifetime in thirds. */
const RETRY_SLOTS_BEFORE_EXPIRY = 3;

export interface BackoffPolicy {
  /** The first wait (attempt 1). */
  leaseSeconds: number;
  /** The wait doubles per attempt up to this cap. */
  capSeconds: number;
}

/**
 * The wait after the `attempt`-th attempt (1-based) at a token with `remainingMs` left (negative
 * when it has expired; `null` when it has no expiry).
 *
 * The backoff doubles from the lease to the cap, plus up to 25 % jitter so that connections that
 * failed together do not retry together. While the token is still valid the wait is also bounded:
 * retry 1 within a third of the remaining lifetime, retry 2 within half of what is then left, later
 * ones no later than expiry, so at least two retries happen before expiry whenever the lifetime
 * allows (each at least {@link MIN_RETRY_DELAY_MS} apart). Bounded waits are jittered downwards
 * (up to 25 %), so they stay within their bound. Once the token has expired, or less than the
 * minimum delay is left, the plain backoff applies.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (no parallel retries: one schedule, single flight)
 */
export function retryDelayMs(attempt: number, remainingMs: number | null, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const backoff = Math.min(policy.capSeconds, policy.leaseSeconds * 2 ** exponent) * 1000 * (1 + 0.25 * random());
  if (remainingMs === null || remainingMs <= MIN_RETRY_DELAY_MS) return Math.round(backoff);
  const slotsLeft = Math.max(1, RETRY_SLOTS_BEFORE_EXPIRY + 1 - attempt);
  const bound = Math.max(MIN_RETRY_DELAY_MS, (remainingMs / slotsLeft) * (1 - 0.25 * random()));
  return Math.round(Math.min(backoff, bound));
}
