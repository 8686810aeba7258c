import { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import { createHttpService, createLogger } from '@cb/platform';
import { BulkImportRoute } from './connections/bulk-import.route';
import { CredentialReadRoute } from './connections/credential-read.route';
import { ProxyRoute } from './proxy/proxy.route';
import { loadGatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { serveOpenApi } from './openapi/openapi-document';

/** The gateway consumes no events, so it starts without the inbox transport. */
export async function startGateway(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadGatewayConfig(env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  const app = await createHttpService(GatewayModule.register(config, logger), {
    logger,
    service: config,
    bodyLimit: '64kb',
    hotRoutes: (nest) => [nest.get(CredentialReadRoute)],
    // The proxy streams its bodies both ways, and the bulk import its NDJSON lines, so they run before the JSON body parser and its limit.
    streamingRoutes: (nest) => [nest.get(ProxyRoute), nest.get(BulkImportRoute)],
  });
  // req.ip: the socket's address, or behind TRUSTED_PROXIES the right-most untrusted X-Forwarded-For hop
  (app.getHttpAdapter().getInstance() as Express).set('trust proxy', config.trustedProxies?.trust ?? false);
  if (config.trustedProxies) logger.info({ trustedProxies: config.trustedProxies.entries }, 'client addresses are taken from X-Forwarded-For behind the trusted proxies');
  serveOpenApi(app);
  await app.listen(config.port, config.host);
  return app;
}
