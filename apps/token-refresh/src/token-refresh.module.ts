import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { DueTokenScheduler } from './emit-due-tokens/due-token.scheduler';
import { MIGRATIONS } from './migrations';
import { TOKEN_REFRESH_CONFIG, TokenRefreshConfig } from './token-refresh.config';
import { RefreshScheduleRepository } from './schedule/refresh-schedule.repository';
import { SCHEDULE_SCHEMA } from './schedule/schedule-schema';
import { RefreshTiming } from './schedule/timing-policy.provider';
import { TokenIssuedEventsController } from './schedule-token/token-issued.events.controller';
import { ConnectionLifecycleEventsController } from './track-connection/connection-lifecycle.events.controller';

export const SCHEMA = 'token_refresh';

/** The refresh schedule: fed by TokenIssued and connection status events, emits TokenExpired. Holds no secrets. */
@Module({})
export class TokenRefreshModule {
  static register(config: TokenRefreshConfig, logger: Logger): DynamicModule {
    return {
      module: TokenRefreshModule,
      imports: [ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: [], migrations: MIGRATIONS, usesKafka: true })],
      controllers: [TokenIssuedEventsController, ConnectionLifecycleEventsController],
      providers: [
        { provide: TOKEN_REFRESH_CONFIG, useValue: config },
        { provide: SCHEDULE_SCHEMA, useValue: SCHEMA },
        RefreshScheduleRepository,
        RefreshTiming,
        DueTokenScheduler,
      ],
    };
  }
}
