import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { LeasedTokenBuckets } from './leased-token-buckets';
import { PostgresBucketStore } from './postgres-bucket-store';
import type { LimitName } from './rate-limit.config';
import type { TakeResult } from './token-bucket';
import { rateLimited } from '../gateway.errors';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The gateway's rate limits: buckets shared by every instance through `<schema>.rate_limit_buckets`,
 * leased a few tokens at a time (see {@link LeasedTokenBuckets}); this instance's own buckets while
 * PostgreSQL cannot be reached, said once in the log when it happens and once when it is over.
 * Every minute, rows that have refilled to full are deleted.
 */
@Injectable()
export class SharedRateLimits implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly store: PostgresBucketStore;
  private readonly buckets: LeasedTokenBuckets;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.store = new PostgresBucketStore({
      databaseUrl: config.databaseUrl,
      schema: (dataSource.options as { schema?: string }).schema ?? 'public',
      applicationName: `${config.serviceName}-rate-limits`,
    });
    this.buckets = new LeasedTokenBuckets({
      store: this.store,
      rules: config.rateLimits.rules,
      maxLease: config.rateLimits.maxLease,
      onSharedLost: (error) =>
        this.logger.warn({ err: error.message }, "rate limits fall back to this instance's own buckets: the shared buckets cannot be reached; each instance allows the full limit until they can"),
      onSharedBack: () => this.logger.log('rate limits use the shared buckets again'),
    });
  }

  take(limit: LimitName, key: string): TakeResult | Promise<TakeResult> {
    return this.buckets.take(limit, key);
  }

  /** Spends a token of `key`'s bucket, or throws 429 `rate_limited` with `retryAfterSeconds`. Synchronous while tokens are leased. */
  enforce(limit: LimitName, key: string): void | Promise<void> {
    const taken = this.take(limit, key);
    return taken instanceof Promise ? taken.then(refuseUnlessAllowed) : refuseUnlessAllowed(taken);
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.store.close();
  }

  private async sweep(): Promise<void> {
    if (!this.buckets.shared) return;
    for (const [name, rule] of Object.entries(this.config.rateLimits.rules)) {
      if (!rule) continue;
      try {
        await this.store.sweep(name, rule);
      } catch (error) {
        this.logger.debug({ limit: name, err: (error as Error).message }, 'rate limit sweep failed');
        return;
      }
    }
  }
}

function refuseUnlessAllowed({ allowed, retryAfterSeconds }: TakeResult): void {
  if (!allowed) throw rateLimited(retryAfterSeconds);
}
