import { isRefreshDue, refreshDueAt } from './refresh-due';

const issuedAt = new Date('2025-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(issuedAt.getTime() + seconds * 1000);

describe('refreshDueAt', () => {
  it('uses the connector margin for tokens that live longer than twice the margin', () => {
    expect(refreshDueAt({ issuedAt, expiresAt: at(3600), refreshMarginSeconds: 300 })).toEqual(at(3300));
  });

  it('renews a token living shorter than the margin at half-life, not at once', () => {
    expect(refreshDueAt({ issuedAt, expiresAt: at(10), refreshMarginSeconds: 300 })).toEqual(at(5));
  });

  it('never makes a token without expiry due', () => {
    expect(refreshDueAt({ issuedAt, expiresAt: null, refreshMarginSeconds: 300 })).toBeNull();
    expect(isRefreshDue({ issuedAt, expiresAt: null, refreshMarginSeconds: 300 }, at(1e9))).toBe(false);
  });
});

describe('isRefreshDue', () => {
  const shortLived = { issuedAt, expiresAt: at(10), refreshMarginSeconds: 300 };

  it('regression (issue 13): a 10-second token with a 300-second margin is not due at once', () => {
    expect(isRefreshDue(shortLived, at(0.1))).toBe(false);
    expect(isRefreshDue(shortLived, at(4.9))).toBe(false);
  });

  it('is due from half-life on, and after expiry', () => {
    expect(isRefreshDue(shortLived, at(5))).toBe(true);
    expect(isRefreshDue(shortLived, at(11))).toBe(true);
  });
});
