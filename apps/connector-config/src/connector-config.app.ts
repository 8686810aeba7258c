import { INestApplication } from '@nestjs/common';
import { createLogger } from '@cb/platform';
import { startService } from '@cb/service-runtime';
import { loadConnectorConfigConfig } from './connector-config.config';
import { ConnectorConfigModule, SCHEMA } from './connector-config.module';
import { WEBHOOK_SOURCE_EVENTS } from './webhooks/events/webhook-event-types';

export async function startConnectorConfig(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadConnectorConfigConfig(env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  return startService({
    module: ConnectorConfigModule.register(config, logger),
    config,
    logger,
    schema: SCHEMA,
    consumesEvents: true,
    // consumer group connector-config.webhooks: the webhooks module's events, apart from anything else
    eventLanes: { webhooks: WEBHOOK_SOURCE_EVENTS.map((definition) => definition.topic) },
  });
}
