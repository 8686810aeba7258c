import { INestApplication } from '@nestjs/common';
import { createLogger, loadServiceConfig } from '@cb/platform';
import { startService } from '@cb/service-runtime';
import { oauthAuthorizationReaders, OAuthAuthorizationSettings } from './oauth-authorization.config';
import { OAuthAuthorizationModule, SCHEMA } from './oauth-authorization.module';

export async function startOAuthAuthorization(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadServiceConfig<OAuthAuthorizationSettings>('oauth-authorization', 3002, oauthAuthorizationReaders, env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  return startService({ module: OAuthAuthorizationModule.register(config, logger), config, logger, schema: SCHEMA, consumesEvents: true });
}
