import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChangeFollowingCache } from '@cb/platform';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { ApiKeyEntity } from '../workspaces/api-key.entity';

/**
 * API key rows by public id, kept for a minute while the gateway follows `<schema>.api_keys_changed`
 * (a trigger on `api_keys` notifies every revocation, deletion or other change): each instance drops
 * a key as its change commits. Unknown keys are never kept, so made-up keys cannot fill it.
 */
@Injectable()
export class ApiKeyCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly cache: ChangeFollowingCache<ApiKeyEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
    this.cache = new ChangeFollowingCache({
      databaseUrl: config.databaseUrl,
      applicationName: `${config.serviceName}-api-key-changes`,
      channel: `${schema}.api_keys_changed`,
      keptMs: 60_000,
      limit: 10_000,
      onListenFailure: (error) => this.logger.warn({ err: error.message }, 'cannot follow API key changes; keys are looked up on every request meanwhile'),
    });
  }

  lookup(publicId: string): Promise<ApiKeyEntity | null> {
    return this.cache.get(publicId, () => this.dataSource.getRepository(ApiKeyEntity).findOneBy({ publicId }));
  }

  /** After this instance revoked a key: the others hear the change. */
  forgetAll(): void {
    this.cache.forgetAll();
  }

  onApplicationBootstrap(): void {
    this.cache.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache.stop();
  }
}
