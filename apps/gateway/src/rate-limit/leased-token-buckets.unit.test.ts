import { BucketLease, BucketStore, LeasedTokenBuckets, LeasedTokenBucketsOptions } from './leased-token-buckets';
import { BucketRule, leaseSize, TakeResult } from './token-bucket';

/** The lease statement of PostgresBucketStore, in memory: refill by elapsed time, take up to `wanted` whole tokens. */
class MemoryStore implements BucketStore {
  readonly rows = new Map<string, { tokens: number; at: number }>();
  leases = 0;
  failing: Error | undefined;

  constructor(private readonly clock: { now: number }) {}

  async lease(limit: string, key: string, rule: BucketRule, wanted: number): Promise<BucketLease> {
    this.leases++;
    await Promise.resolve();
    if (this.failing) throw this.failing;
    const row = this.rows.get(`${limit}/${key}`);
    const refilled = row ? Math.min(rule.capacity, row.tokens + (Math.max(0, this.clock.now - row.at) / 1000) * rule.refillPerSecond) : rule.capacity;
    const granted = Math.min(wanted, Math.floor(refilled));
    this.rows.set(`${limit}/${key}`, { tokens: refilled - granted, at: this.clock.now });
    return { granted, tokens: refilled - granted };
  }
}

describe('LeasedTokenBuckets', () => {
  const clock = { now: 1_000_000 };
  let store: MemoryStore;
  let events: string[];

  beforeEach(() => {
    clock.now = 1_000_000;
    store = new MemoryStore(clock);
    events = [];
  });

  const instance = (rule: BucketRule, options: Partial<LeasedTokenBucketsOptions> = {}): LeasedTokenBuckets =>
    new LeasedTokenBuckets({
      store,
      rules: { reads: rule, off: null },
      maxLease: 20,
      onSharedLost: (error) => events.push(`lost: ${error.message}`),
      onSharedBack: () => events.push('back'),
      now: () => clock.now,
      ...options,
    });

  /** `count` requests one after another; how many were allowed. */
  const allowedOf = async (buckets: LeasedTokenBuckets, count: number, key = 'w1'): Promise<number> => {
    let allowed = 0;
    for (let i = 0; i < count; i++) if ((await buckets.take('reads', key)).allowed) allowed++;
    return allowed;
  };

  it('leases a tenth of the burst, at least 1 and at most RATE_LIMIT_LEASE', () => {
    expect(leaseSize({ capacity: 4, refillPerSecond: 1 }, 20)).toBe(1);
    expect(leaseSize({ capacity: 100, refillPerSecond: 1 }, 20)).toBe(10);
    expect(leaseSize({ capacity: 1000, refillPerSecond: 1 }, 20)).toBe(20);
    expect(leaseSize({ capacity: 1000, refillPerSecond: 1 }, 5)).toBe(5);
  });

  it('spends leased tokens without asking the store: 100 requests cost 10 leases', async () => {
    const buckets = instance({ capacity: 100, refillPerSecond: 1 });
    expect(await allowedOf(buckets, 100)).toBe(100);
    expect(store.leases).toBe(10);
    expect(buckets.take('reads', 'w1')).toBeInstanceOf(Promise);
  });

  it('shares the bucket between instances: what one spent, another finds spent, with Retry-After', async () => {
    const a = instance({ capacity: 40, refillPerSecond: 2 });
    const b = instance({ capacity: 40, refillPerSecond: 2 });
    expect(await allowedOf(a, 40)).toBe(40);
    expect(await b.take('reads', 'w1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await allowedOf(b, 5, 'w2')).toBe(5);
    clock.now += 2_000;
    expect(await allowedOf(b, 10)).toBe(4);
  });

  it('remembers an empty shared bucket until it holds a token again: a flood past it costs no lease', async () => {
    const buckets = instance({ capacity: 10, refillPerSecond: 0.25 });
    expect(await allowedOf(buckets, 10)).toBe(10);
    const leases = store.leases;
    const refused = await Promise.all(Array.from({ length: 50 }, async () => buckets.take('reads', 'w1')));
    expect(refused.every((x) => !x.allowed)).toBe(true);
    expect(refused[0]).toEqual({ allowed: false, retryAfterSeconds: 4 });
    expect(store.leases).toBe(leases + 1);
    clock.now += 1_000;
    expect(buckets.take('reads', 'w1')).toEqual({ allowed: false, retryAfterSeconds: 3 });
    clock.now += 3_000;
    expect(await buckets.take('reads', 'w1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it('makes concurrent requests for one key wait for one lease', async () => {
    const buckets = instance({ capacity: 4, refillPerSecond: 1 });
    const answers: TakeResult[] = await Promise.all(Array.from({ length: 12 }, async () => buckets.take('reads', 'w1')));
    expect(answers.filter((x) => x.allowed)).toHaveLength(4);
    // one lease per token granted, and one that found the bucket empty
    expect(store.leases).toBe(5);
  });

  it('over-grants at most a lease per instance: tokens leased before the bucket refilled', async () => {
    const rule = { capacity: 100, refillPerSecond: 10 };
    const instances = [instance(rule), instance(rule), instance(rule)];
    // each instance leases once and spends one token, keeping the rest of its lease
    for (const buckets of instances) expect(await allowedOf(buckets, 1)).toBe(1);
    clock.now += 60_000;
    let allowed = 0;
    for (let round = 0; round < 200; round++) for (const buckets of instances) if ((await buckets.take('reads', 'w1')).allowed) allowed++;
    expect(allowed).toBeGreaterThan(rule.capacity);
    expect(allowed).toBeLessThanOrEqual(rule.capacity + instances.length * leaseSize(rule, 20));
  });

  it('allows everything for a limit that is off or unknown', () => {
    const buckets = instance({ capacity: 1, refillPerSecond: 1 });
    expect(buckets.take('off', 'w1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(buckets.take('other', 'w1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it('falls back to its own bucket while the store fails, says so once, and shares again once the store answers', async () => {
    const buckets = instance({ capacity: 5, refillPerSecond: 1 }, { retrySharedAfterMs: 5_000 });
    store.failing = new Error('connect ECONNREFUSED');
    expect(await allowedOf(buckets, 8)).toBe(5);
    expect(await allowedOf(buckets, 3, 'w2')).toBe(3);
    expect(buckets.shared).toBe(false);
    expect(events).toEqual(['lost: connect ECONNREFUSED']);
    // only the first request asked the store; the rest went to the local bucket at once
    expect(store.leases).toBe(1);
    clock.now += 5_000;
    expect(await allowedOf(buckets, 1, 'w3')).toBe(1);
    expect(store.leases).toBe(2);
    expect(events).toEqual(['lost: connect ECONNREFUSED']);
    store.failing = undefined;
    clock.now += 5_000;
    expect(await allowedOf(buckets, 5, 'w4')).toBe(5);
    expect(buckets.shared).toBe(true);
    expect(events).toEqual(['lost: connect ECONNREFUSED', 'back']);
    expect(store.rows.has('reads/w4')).toBe(true);
  });
});
