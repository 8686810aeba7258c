import { INestApplication } from '@nestjs/common';
import { TokenExpired } from '@cb/events';
import { createLogger } from '@cb/platform';
import { startService } from '@cb/service-runtime';
import { BulkImportRoute } from './import-connection/bulk-import.route';
import { ProxyRoute } from './proxy/proxy.route';
import { ReadCredentialRoute } from './read-credential/read-credential.route';
import { loadTokenIssuanceConfig } from './token-issuance.config';
import { TokenIssuanceModule, SCHEMA } from './token-issuance.module';

export async function startTokenIssuance(env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadTokenIssuanceConfig(env);
  const logger = createLogger(config.serviceName, config.logLevel, config.logFile);
  return startService({
    module: TokenIssuanceModule.register(config, logger),
    config,
    logger,
    schema: SCHEMA,
    consumesEvents: true,
    // Refreshes wait on providers; on their own consumer they never hold up a connect's code exchange.
    eventLanes: { refresh: [TokenExpired.topic] },
    hotRoutes: (app) => [app.get(ReadCredentialRoute)],
    // The proxy streams its bodies both ways, the bulk import reads its lines as they come: both run before any body is parsed.
    streamingRoutes: (app) => [app.get(ProxyRoute), app.get(BulkImportRoute)],
  });
}
