import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ServiceConfig } from '@cb/platform';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { MIGRATIONS } from './migrations';

export const SCHEMA = 'oauth_authorization';

@Module({})
export class OAuthAuthorizationModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: OAuthAuthorizationModule,
      imports: [ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: [], migrations: MIGRATIONS, usesKafka: true })],
    };
  }
}
