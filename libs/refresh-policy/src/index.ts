export { isRefreshDue, MARGIN_MAX_LIFETIME_SHARE, refreshDueAt, refreshMarginMs } from './refresh-due';
export type { TokenLifetime } from './refresh-due';
export { MIN_RETRY_DELAY_MS, retryDelayMs } from './retry-delay';
export type { BackoffPolicy } from './retry-delay';
