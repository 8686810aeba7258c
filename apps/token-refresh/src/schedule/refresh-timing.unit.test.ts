import { firstDueAt, leaseDelayMs } from './refresh-timing';

const policy = { assumedLifetimeSeconds: undefined };
const issuedAt = new Date('2025-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(issuedAt.getTime() + seconds * 1000);

describe('firstDueAt', () => {
  it('uses the connector margin for long-lived tokens', () => {
    expect(firstDueAt({ issuedAt, expiresAt: at(3600), refreshable: true, refreshMarginSeconds: 300 }, policy)).toEqual(at(3300));
  });

  it('caps the margin at a share of the lifetime for short-lived tokens', () => {
    expect(firstDueAt({ issuedAt, expiresAt: at(5), refreshable: true, refreshMarginSeconds: 300 }, policy)).toEqual(at(2.5));
  });

  it('schedules a non-refreshable credential at its expiry', () => {
    expect(firstDueAt({ issuedAt, expiresAt: at(100), refreshable: false, refreshMarginSeconds: 300 }, policy)).toEqual(at(100));
  });

  it('keeps a token without expiry off the schedule unless a lifetime is assumed', () => {
    const timing = { issuedAt, expiresAt: null, refreshable: true, refreshMarginSeconds: 60 };
    expect(firstDueAt(timing, policy)).toBeNull();
    expect(firstDueAt(timing, { ...policy, assumedLifetimeSeconds: 3600 })).toEqual(at(3540));
    expect(firstDueAt({ ...timing, refreshable: false }, { ...policy, assumedLifetimeSeconds: 3600 })).toBeNull();
  });
});

describe('leaseDelayMs', () => {
  const backoff = { leaseSeconds: 2, capSeconds: 20 };

  it('doubles per attempt and stops at the cap for a token without expiry', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => leaseDelayMs(n, null, issuedAt, backoff, () => 0))).toEqual([2000, 4000, 8000, 16000, 20000, 20000]);
  });

  it('is bounded by what is left of the token: a 30-second token due at half-life is retried within 5 s, not after the 30-second lease', () => {
    expect(leaseDelayMs(1, at(30), at(15), { leaseSeconds: 30, capSeconds: 900 }, () => 0)).toBe(5000);
  });

  it('uses the plain backoff once the token has expired', () => {
    expect(leaseDelayMs(2, at(30), at(31), { leaseSeconds: 30, capSeconds: 900 }, () => 0)).toBe(60_000);
  });
});
