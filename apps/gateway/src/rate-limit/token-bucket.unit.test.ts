import { parseBucketRule, TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows the capacity at once, then one request per refill interval, with Retry-After in whole seconds', () => {
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 0.5 });
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => buckets.take('a', t0).allowed)).toEqual([true, true, true]);
    expect(buckets.take('a', t0)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(buckets.take('a', t0 + 1000)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.take('a', t0 + 2000).allowed).toBe(true);
    expect(buckets.take('b', t0).allowed).toBe(true);
  });

  it('refills to the capacity and no further', () => {
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 10 });
    buckets.take('a', 0);
    expect([1, 2, 3].map(() => buckets.take('a', 60_000).allowed)).toEqual([true, true, false]);
  });

  it('keeps at most maxKeys buckets, forgetting the least recently used', () => {
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 1 }, 2);
    buckets.take('a', 0);
    buckets.take('b', 0);
    buckets.take('a', 0);
    buckets.take('c', 0);
    expect(buckets.size).toBe(2);
    expect(buckets.take('b', 0).allowed).toBe(true);
    expect(buckets.take('a', 0).allowed).toBe(true);
  });

  it('parses "<capacity>,<refill per second>" and "off", and names what it expected otherwise', () => {
    expect(parseBucketRule('60,2')).toEqual({ capacity: 60, refillPerSecond: 2 });
    expect(parseBucketRule(' 5 , 0.5 ')).toEqual({ capacity: 5, refillPerSecond: 0.5 });
    expect(parseBucketRule('off')).toBeNull();
    for (const bad of ['', '60', '0,1', '10,0', 'ten,1', '-1,1']) expect(() => parseBucketRule(bad)).toThrow(/capacity/);
  });
});
