import { INestApplication } from '@nestjs/common';
import { createHttpService, createLogger } from '@cb/platform';
import { loadGatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { serveOpenApi } from './openapi';

/** The gateway consumes no events, so it starts without the inbox transport. */
export async function startGateway(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadGatewayConfig(env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  const app = await createHttpService(GatewayModule.register(config, logger), { logger, bodyLimit: '64kb' });
  serveOpenApi(app);
  await app.listen(config.port, config.host);
  return app;
}
