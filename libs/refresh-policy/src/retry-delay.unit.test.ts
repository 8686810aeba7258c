import { MIN_RETRY_DELAY_MS, retryDelayMs } from './retry-delay';

const noJitter = (): number => 0;
const fullJitter = (): number => 0.999;

describe('retryDelayMs', () => {
  const backoff = { leaseSeconds: 2, capSeconds: 20 };

  it('doubles per attempt and stops at the cap when the token has no expiry or has expired', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, null, backoff, noJitter))).toEqual([2000, 4000, 8000, 16000, 20000, 20000]);
    expect(retryDelayMs(3, -5000, backoff, noJitter)).toBe(8000);
  });

  it('adds at most 25 % jitter to the plain backoff', () => {
    expect(retryDelayMs(1, null, backoff, fullJitter)).toBeLessThanOrEqual(2500);
    expect(retryDelayMs(1, null, backoff, () => 0.5)).toBe(2250);
  });

  it('keeps the backoff when it is shorter than the bound', () => {
    expect(retryDelayMs(1, 300_000, { leaseSeconds: 30, capSeconds: 900 }, noJitter)).toBe(30_000);
  });

  it('regression (issue 13): a 30-second token failing at half-life is retried before it expires, not 36 s later', () => {
    const policy = { leaseSeconds: 30, capSeconds: 900 };
    for (const random of [noJitter, fullJitter, () => 0.5]) {
      let remaining = 15_000;
      const leftAtRetry: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        remaining -= retryDelayMs(attempt, remaining, policy, random);
        leftAtRetry.push(remaining);
      }
      expect(leftAtRetry[1]).toBeGreaterThan(0);
      expect(leftAtRetry[2]).toBeGreaterThanOrEqual(0); // the third no later than expiry
    }
  });

  it('splits what is left in thirds, then halves, then waits no longer than expiry', () => {
    const policy = { leaseSeconds: 30, capSeconds: 900 };
    expect(retryDelayMs(1, 15_000, policy, noJitter)).toBe(5000);
    expect(retryDelayMs(2, 10_000, policy, noJitter)).toBe(5000);
    expect(retryDelayMs(3, 5000, policy, noJitter)).toBe(5000);
    expect(retryDelayMs(7, 5000, policy, noJitter)).toBe(5000);
    expect(retryDelayMs(1, 15_000, policy, fullJitter)).toBeGreaterThanOrEqual(3750);
  });

  it('never retries sooner than the minimum delay, and falls back to the backoff when less than that is left', () => {
    const policy = { leaseSeconds: 30, capSeconds: 900 };
    expect(retryDelayMs(1, 2000, policy, noJitter)).toBe(MIN_RETRY_DELAY_MS);
    expect(retryDelayMs(2, 500, policy, noJitter)).toBe(60_000);
  });
});
