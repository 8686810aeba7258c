import { Injectable } from '@nestjs/common';
import { TOKEN_ERROR_CODES } from '@cb/oauth-client';
import { boundedLabel, METRICS, OAUTH_ERROR_CODES, ServiceMetrics } from '@cb/platform';

/**
 * The failure codes the `reason` label keeps as they are: the RFC's, the callback's own, and those
 * the token leg reports in ConnectionFailed. Any other (a provider's own code) is counted as
 * `other`; the session itself keeps the code.
 */
const SESSION_FAILURE_REASONS: ReadonlySet<string> = new Set([
  ...OAUTH_ERROR_CODES,
  ...Object.values(TOKEN_ERROR_CODES),
  'invalid_state',
  'state_expired',
  'session_expired',
  'issuer_mismatch',
  'missing_code',
  'authorization_error',
  'provider_busy',
  'circuit_open',
  'connector_misconfigured',
  'redemption_interrupted',
  'connector_version_unavailable',
  'wrong_mode',
]);

/**
 * The connect funnel as oauth-authorization sees it: sessions opened, completed and failed. A count
 * made inside an inbox handler's transaction counts again if that transaction fails and the event
 * is retried (rare; the inbox's retries counter shows it).
 */
@Injectable()
export class ConnectSessionMetrics {
  private readonly started;
  private readonly completed;
  private readonly failed;

  constructor(metrics: ServiceMetrics) {
    this.started = metrics.counter(METRICS.connectSessionsStarted);
    this.completed = metrics.counter(METRICS.connectSessionsCompleted);
    this.failed = metrics.counter(METRICS.connectSessionsFailed);
  }

  sessionStarted(): void {
    this.started.inc();
  }

  sessionCompleted(): void {
    this.completed.inc();
  }

  sessionFailed(errorCode: string): void {
    this.failed.inc({ reason: boundedLabel(errorCode, SESSION_FAILURE_REASONS) });
  }
}
