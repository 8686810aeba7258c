import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { TokenExpired } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { serviceTracer, tracingEnabled } from '@cb/platform';
import { TOKEN_REFRESH_CONFIG, TokenRefreshConfig } from '../token-refresh.config';
import { RefreshScheduleRepository } from '../schedule/refresh-schedule.repository';
import { RefreshTiming } from '../schedule/timing-policy.provider';
import { toTokenExpired } from './token-expired.mapper';

export interface SchedulerStats {
  ticks: number;
  emitted: number;
  emittedDue: number;
  emittedExpired: number;
  failures: number;
}

/**
 * Claims due connections (FOR UPDATE SKIP LOCKED, so instances split the work), emits TokenExpired
 * for each through the outbox and leases the row, all in one transaction: a connection due once is
 * announced once. When no newer credential arrives before the lease ends, the connection is due
 * again, each time after a longer lease (exponential backoff with jitter, capped), but while the
 * token is valid never so late that fewer than two retries fit before it expires. TokenExpired
 * says when that next attempt will be, so token-issuance can show it while refreshes fail.
 * It claims only while fewer than `refreshMaxUnanswered` connections are in their first lease
 * (ADR 0016): a backlog is announced as refreshes come back, so none is announced again only because
 * its first TokenExpired was still queued behind the others when its lease ended.
 * With tracing on, each announced refresh starts a trace of its own (a root PRODUCER span that its
 * TokenExpired carries on to token-issuance), since no request caused it.
 */
@Injectable()
export class DueTokenScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DueTokenScheduler.name);
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly counters: SchedulerStats = { ticks: 0, emitted: 0, emittedDue: 0, emittedExpired: 0, failures: 0 };

  constructor(
    private readonly dataSource: DataSource,
    private readonly schedule: RefreshScheduleRepository,
    private readonly timing: RefreshTiming,
    private readonly outbox: OutboxWriter,
    @Inject(TOKEN_REFRESH_CONFIG) private readonly settings: TokenRefreshConfig,
  ) {}

  get stats(): Readonly<SchedulerStats> {
    return { ...this.counters };
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** One claim transaction; returns how many connections it announced. */
  async tick(): Promise<number> {
    this.counters.ticks++;
    const traces: Span[] = [];
    try {
      return await this.claimAndAnnounce(traces);
    } catch (error) {
      for (const span of traces) span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      for (const span of traces) span.end();
    }
  }

  private claimAndAnnounce(traces: Span[]): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await this.schedule.claimDue(manager, this.settings.refreshBatchSize, this.settings.refreshMaxUnanswered);
      const detectedAt = new Date();
      const announced = due.map((row) => {
        const reason = row.expired || !row.refreshable ? 'expired' : 'due';
        // An expired credential that cannot be refreshed is announced once; token-issuance marks it.
        const nextDueInMs = row.refreshable ? this.timing.leaseDelayMs(row.attempts + 1, row.expiresAt, detectedAt) : null;
        const nextAttemptAt = nextDueInMs === null ? null : new Date(detectedAt.getTime() + nextDueInMs);
        return { connectionId: row.connectionId, reason, nextDueInMs, event: toTokenExpired(row, reason, detectedAt, nextAttemptAt) };
      });
      await this.schedule.recordAttempts(manager, announced);
      if (tracingEnabled()) traces.push(...announced.map((a) => this.startRefreshTrace(a.connectionId, a.reason)));
      await this.outbox.appendAll(manager, TokenExpired, announced.map((a) => a.event), traces.length > 0 ? traces.map((span) => trace.setSpan(ROOT_CONTEXT, span)) : undefined);
      for (const { reason } of announced) {
        this.counters.emitted++;
        if (reason === 'due') this.counters.emittedDue++;
        else this.counters.emittedExpired++;
      }
      return due.length;
    });
  }

  private startRefreshTrace(connectionId: string, reason: string): Span {
    return serviceTracer(this.settings.serviceName).startSpan(`${TokenExpired.name} create`, {
      root: true,
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'create', 'cb.connection_id': connectionId, 'cb.refresh_reason': reason },
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.tick();
      } catch (error) {
        this.counters.failures++;
        if (!this.stopped) this.logger.warn({ err: (error as Error).message }, 'refresh scheduler tick failed; retrying');
      }
      if (claimed < this.settings.refreshBatchSize) await this.pause(this.settings.refreshPollIntervalMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
