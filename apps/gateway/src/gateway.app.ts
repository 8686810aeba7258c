import { INestApplication } from '@nestjs/common';
import { createLogger, loadServiceConfig } from '@cb/platform';
import { startService } from '@cb/service-runtime';
import { GatewayModule, SCHEMA } from './gateway.module';

export async function startGateway(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadServiceConfig('gateway', 3000, { kafkaBrokers: () => [] }, env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  return startService({ module: GatewayModule.register(config, logger), config, logger, schema: SCHEMA, consumesEvents: false });
}
