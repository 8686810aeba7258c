import { Inject, Injectable } from '@nestjs/common';
import type { BackoffPolicy } from '@cb/refresh-policy';
import { TOKEN_REFRESH_CONFIG, RefreshSettings } from '../token-refresh.config';
import { firstDueAt, IssuedCredentialTiming, leaseDelayMs, TimingPolicy } from './refresh-timing';

/** The timing functions bound to this instance's settings. */
@Injectable()
export class RefreshTiming {
  private readonly timing: TimingPolicy;
  private readonly backoff: BackoffPolicy;

  constructor(@Inject(TOKEN_REFRESH_CONFIG) settings: RefreshSettings) {
    this.timing = { assumedLifetimeSeconds: settings.refreshAssumedLifetimeSeconds };
    this.backoff = { leaseSeconds: settings.refreshLeaseSeconds, capSeconds: settings.refreshBackoffCapSeconds };
  }

  firstDueAt(credential: IssuedCredentialTiming): Date | null {
    return firstDueAt(credential, this.timing);
  }

  leaseDelayMs(attempt: number, expiresAt: Date | null, now: Date): number {
    return leaseDelayMs(attempt, expiresAt, now, this.backoff);
  }
}
