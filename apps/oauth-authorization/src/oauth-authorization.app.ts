import { INestApplication } from '@nestjs/common';
import { createLogger } from '@cb/platform';
import { startService } from '@cb/service-runtime';
import { loadOAuthAuthorizationConfig } from './oauth-authorization.config';
import { OAuthAuthorizationModule, SCHEMA } from './oauth-authorization.module';

export async function startOAuthAuthorization(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadOAuthAuthorizationConfig(env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  return startService({ module: OAuthAuthorizationModule.register(config, logger), config, logger, schema: SCHEMA, consumesEvents: true });
}
