import { INestApplication } from '@nestjs/common';
import { createLogger } from '@cb/platform';
import { startService } from '@cb/service-runtime';
import { loadTokenRefreshConfig } from './token-refresh.config';
import { TokenRefreshModule, SCHEMA } from './token-refresh.module';

export async function startTokenRefresh(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadTokenRefreshConfig(env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  return startService({ module: TokenRefreshModule.register(config, logger), config, logger, schema: SCHEMA, consumesEvents: true });
}
