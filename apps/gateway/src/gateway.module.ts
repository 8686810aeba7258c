import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ServiceConfig } from '@cb/platform';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { MIGRATIONS } from './migrations';

export const SCHEMA = 'gateway';

@Module({})
export class GatewayModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: [], migrations: MIGRATIONS, usesKafka: false })],
    };
  }
}
