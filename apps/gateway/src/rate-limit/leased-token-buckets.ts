import { BucketRule, leaseSize, TakeResult, TokenBuckets } from './token-bucket';

/** What one lease took from a shared bucket. */
export interface BucketLease {
  /** Whole tokens granted to this instance (0 when the bucket had less than one). */
  granted: number;
  /** What the shared bucket holds after the grant. */
  tokens: number;
}

/** The shared buckets (PostgreSQL in production): refill by elapsed time and take up to `wanted` tokens, atomically. */
export interface BucketStore {
  lease(limit: string, key: string, rule: BucketRule, wanted: number): Promise<BucketLease>;
}

export interface LeasedTokenBucketsOptions {
  store: BucketStore;
  /** Rules by limit name; a limit without a rule allows everything. */
  rules: Record<string, BucketRule | null>;
  /** RATE_LIMIT_LEASE. */
  maxLease: number;
  /** Told once when the store fails (the buckets fall back to this instance's own) and once when it answers again. */
  onSharedLost(error: Error): void;
  onSharedBack(): void;
  /** How long to stay on the local buckets after the store failed before trying it again. */
  retrySharedAfterMs?: number;
  /** Keys kept per limit; the least recently used is forgotten first. */
  maxKeys?: number;
  now?: () => number;
}

interface Lease {
  /** Tokens leased and not yet spent. */
  tokens: number;
  /** The shared bucket was empty: refuse without asking again until then. */
  emptyUntil: number;
  /** The lease under way for this key, which concurrent requests wait for instead of asking again. */
  pending: Promise<void> | undefined;
}

interface Limit {
  name: string;
  rule: BucketRule;
  leaseSize: number;
  leases: Map<string, Lease>;
  local: TokenBuckets;
}

const ALLOWED: TakeResult = { allowed: true, retryAfterSeconds: 0 };

/**
 * Token buckets shared by every gateway instance, at the cost of one store round trip per lease
 * instead of per request: an instance leases a few tokens from the shared bucket (see
 * {@link leaseSize}) and spends them locally, leasing again when it has none; concurrent requests
 * for one key wait for one lease. A refused lease is remembered until the shared bucket will hold a
 * token again, so a flood past the limit costs no round trip. When the store fails, every limit
 * falls back to this instance's own bucket (the limits are then per instance) and the store is
 * tried again after `retrySharedAfterMs`, by one request while the others stay local.
 */
export class LeasedTokenBuckets {
  private readonly limits = new Map<string, Limit>();
  private readonly now: () => number;
  private readonly retrySharedAfterMs: number;
  private readonly maxKeys: number;
  /** Set while the store is failing: until then, local buckets only. */
  private sharedDownUntil: number | undefined;

  constructor(private readonly options: LeasedTokenBucketsOptions) {
    this.now = options.now ?? Date.now;
    this.retrySharedAfterMs = options.retrySharedAfterMs ?? 5_000;
    this.maxKeys = options.maxKeys ?? 50_000;
    for (const [name, rule] of Object.entries(options.rules)) {
      if (rule) this.limits.set(name, { name, rule, leaseSize: leaseSize(rule, options.maxLease), leases: new Map(), local: new TokenBuckets(rule, this.maxKeys) });
    }
  }

  /** Synchronous while leased tokens last (the common case), a promise when a lease is needed. */
  take(limitName: string, key: string): TakeResult | Promise<TakeResult> {
    const limit = this.limits.get(limitName);
    return limit ? this.takeFrom(limit, key) : ALLOWED;
  }

  /** Whether the shared buckets are in use (false while fallen back to the local ones). */
  get shared(): boolean {
    return this.sharedDownUntil === undefined;
  }

  private takeFrom(limit: Limit, key: string): TakeResult | Promise<TakeResult> {
    const now = this.now();
    const lease = this.leaseOf(limit, key);
    if (lease.tokens >= 1) {
      lease.tokens -= 1;
      return ALLOWED;
    }
    if (lease.emptyUntil > now) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((lease.emptyUntil - now) / 1000)) };
    if (!lease.pending) {
      if (!this.mayAskStore(now)) return limit.local.take(key, now);
      lease.pending = this.lease(limit, lease, key).finally(() => {
        lease.pending = undefined;
      });
    }
    // After the lease: spend what it brought, or refuse, or (the store failed) take from the local bucket.
    return lease.pending.then(() => this.takeFrom(limit, key));
  }

  private async lease(limit: Limit, lease: Lease, key: string): Promise<void> {
    let result: BucketLease;
    try {
      result = await this.options.store.lease(limit.name, key, limit.rule, limit.leaseSize);
    } catch (error) {
      if (this.sharedDownUntil === undefined) this.options.onSharedLost(error as Error);
      this.sharedDownUntil = this.now() + this.retrySharedAfterMs;
      return;
    }
    if (this.sharedDownUntil !== undefined) {
      this.sharedDownUntil = undefined;
      this.options.onSharedBack();
    }
    lease.tokens += result.granted;
    if (result.granted === 0) lease.emptyUntil = this.now() + ((1 - result.tokens) / limit.rule.refillPerSecond) * 1000;
  }

  /** While the store is failing, one request asks it again once `retrySharedAfterMs` has passed. */
  private mayAskStore(now: number): boolean {
    if (this.sharedDownUntil === undefined) return true;
    if (now < this.sharedDownUntil) return false;
    this.sharedDownUntil = now + this.retrySharedAfterMs;
    return true;
  }

  private leaseOf(limit: Limit, key: string): Lease {
    let lease = limit.leases.get(key);
    if (lease) {
      limit.leases.delete(key);
    } else {
      lease = { tokens: 0, emptyUntil: 0, pending: undefined };
    }
    limit.leases.set(key, lease);
    if (limit.leases.size > this.maxKeys) {
      const oldest = limit.leases.keys().next().value;
      if (oldest !== undefined) limit.leases.delete(oldest);
    }
    return lease;
  }
}
