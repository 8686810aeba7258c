import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { CREDENTIAL_READ_MODELS, CREDENTIAL_READ_OPENAPI } from '../connections/credential-read.route';
import { PROXY_OPENAPI } from '../proxy/proxy.openapi';
import { applyApiConventions } from './api-conventions';
import { authConfigSchemas } from './auth-config-schemas';
import { ErrorBodyDoc } from './error-body.docs.dto';

/** The OpenAPI document of the public API, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Credential Broker')
    .setDescription(
      'The public API. Authenticate with a workspace API key: `Authorization: Bearer cbk_…`. Errors are `{ "error": { "code", "message", "details" } }`; ' +
        "another workspace's ids answer 404.",
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('http://127.0.0.1:3000', 'The gateway of a local run (`npm start`)')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A workspace API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDoc, ...CREDENTIAL_READ_MODELS] });
  document.paths = { ...withoutProbes(document.paths), ...CREDENTIAL_READ_OPENAPI, ...PROXY_OPENAPI };
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...authConfigSchemas() } };
  return applyApiConventions(document);
}

/** Liveness and readiness are for the orchestrator (README, "Health"), not API clients. */
function withoutProbes(paths: OpenAPIObject['paths']): OpenAPIObject['paths'] {
  return Object.fromEntries(Object.entries(paths).filter(([path]) => !path.startsWith('/health/')));
}

/** Serves the document at /openapi.json and a browsable UI at /docs. Call before `listen`. */
export function serveOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
