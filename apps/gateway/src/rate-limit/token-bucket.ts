/** A bucket: `capacity` requests at once, refilled at `refillPerSecond`. */
export interface BucketRule {
  capacity: number;
  refillPerSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole seconds until one request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * In-memory token buckets by key, for one process: what the gateway limits with while the shared
 * buckets cannot be reached (see LeasedTokenBuckets). At most `maxKeys` buckets are kept; the least
 * recently used goes first (a forgotten bucket starts full again, which only errs on the lenient side).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rule: BucketRule,
    private readonly maxKeys = 50_000,
  ) {}

  take(key: string, now = Date.now()): TakeResult {
    const { capacity, refillPerSecond } = this.rule;
    const previous = this.buckets.get(key);
    const tokens = previous ? Math.min(capacity, previous.tokens + ((now - previous.at) / 1000) * refillPerSecond) : capacity;
    this.buckets.delete(key);
    if (tokens >= 1) {
      this.remember(key, { tokens: tokens - 1, at: now });
      return { allowed: true, retryAfterSeconds: 0 };
    }
    this.remember(key, { tokens, at: now });
    return { allowed: false, retryAfterSeconds: secondsUntilToken(tokens, this.rule) };
  }

  get size(): number {
    return this.buckets.size;
  }

  private remember(key: string, bucket: Bucket): void {
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}

/** `<capacity>,<refill per second>` (e.g. `60,2`), or `off`. */
export function parseBucketRule(text: string): BucketRule | null {
  if (text.trim() === 'off') return null;
  const match = /^\s*(\d+)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  const capacity = Number(match?.[1]);
  const refillPerSecond = Number(match?.[2]);
  if (!match || capacity < 1 || refillPerSecond <= 0) throw new Error(`expected "<capacity>,<refill per second>" with both above 0, or "off"; got "${text}"`);
  return { capacity, refillPerSecond };
}

/**
 * How many tokens an instance takes from a shared bucket at once: a tenth of the burst, at least 1
 * and at most `maxLease`. Tokens leased and not yet spent are what one instance can serve beyond
 * the shared bucket after it refills, so the over-grant is at most this times the instances.
 */
export function leaseSize(rule: BucketRule, maxLease: number): number {
  return Math.max(1, Math.min(maxLease, Math.floor(rule.capacity / 10)));
}

/** Whole seconds until a bucket holding `tokens` (< 1) has one again; at least 1. */
export function secondsUntilToken(tokens: number, rule: BucketRule): number {
  return Math.max(1, Math.ceil((1 - tokens) / rule.refillPerSecond));
}
