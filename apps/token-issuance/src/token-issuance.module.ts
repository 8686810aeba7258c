import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ServiceConfig } from '@cb/platform';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { MIGRATIONS } from './migrations';

export const SCHEMA = 'token_issuance';

@Module({})
export class TokenIssuanceModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: TokenIssuanceModule,
      imports: [ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: [], migrations: MIGRATIONS, usesKafka: true })],
    };
  }
}
