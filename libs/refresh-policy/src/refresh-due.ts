/**
 * When a token is due for renewal. The one rule behind the schedule (token-refresh), the credential
 * read's on-demand refresh and the client-credentials renewal (token-issuance).
 */

/** The refresh margin never exceeds this share of the token's lifetime. */
export const MARGIN_MAX_LIFETIME_SHARE = 0.5;

export interface TokenLifetime {
  /** When the token was obtained (or stored, which is a few milliseconds later). */
  issuedAt: Date;
  /** `null` when the provider gave no expiry: never due by time. */
  expiresAt: Date | null;
  /** The connector's margin: renew this long before expiry. */
  refreshMarginSeconds: number;
}

/**
 * The connector's margin, capped at half the token's lifetime, so that a token living shorter than
 * the margin is renewed at half-life instead of on every use.
 */
export function refreshMarginMs(token: TokenLifetime & { expiresAt: Date }): number {
  const lifetimeMs = Math.max(0, token.expiresAt.getTime() - token.issuedAt.getTime());
  return Math.min(token.refreshMarginSeconds * 1000, lifetimeMs * MARGIN_MAX_LIFETIME_SHARE);
}

/** When the token is due, or `null` when it has no expiry. */
export function refreshDueAt(token: TokenLifetime): Date | null {
  if (!token.expiresAt) return null;
  return new Date(token.expiresAt.getTime() - refreshMarginMs({ ...token, expiresAt: token.expiresAt }));
}

export function isRefreshDue(token: TokenLifetime, now: Date): boolean {
  const dueAt = refreshDueAt(token);
  return dueAt !== null && dueAt.getTime() <= now.getTime();
}
