import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@cb/platform';
import { loadGatewayConfig } from '../gateway.config';
import { GatewayModule } from '../gateway.module';
import { buildOpenApiDocument } from './openapi-document';

/**
 * Builds the OpenAPI document from the code; run directly, it writes docs/openapi.json. Preview mode builds the module graph without creating
 * providers, so no database or back-end service is needed; the variables below only satisfy config.
 */
export async function generateOpenApiDocument(): Promise<object> {
  const config = loadGatewayConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/none',
    VAULT_KEYS: `docs:${Buffer.alloc(32).toString('base64')}`,
    CONNECTOR_CONFIG_URL: 'http://127.0.0.1:3001',
    OAUTH_AUTHORIZATION_URL: 'http://127.0.0.1:3002',
    TOKEN_ISSUANCE_URL: 'http://127.0.0.1:3003',
    INTERNAL_API_TOKEN: 'openapi-'.padEnd(32, 'x'),
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger('gateway-openapi', 'silent');
  const app = await NestFactory.create(GatewayModule.register(config, logger), { preview: true, logger: false, abortOnError: false });
  const document = buildOpenApiDocument(app);
  await app.close();
  return document;
}

export const OPENAPI_FILE = join(__dirname, '../../../../docs/openapi.json');

if (require.main === module) {
  generateOpenApiDocument()
    .then((document) => {
      writeFileSync(OPENAPI_FILE, `${JSON.stringify(document, null, 2)}\n`);
      process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    })
    .catch((error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    });
}
