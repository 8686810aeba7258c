import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { CREDENTIAL_READ_OPENAPI } from './connections/credential-read.route';

/** The OpenAPI document, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Credential Broker')
    .setDescription(
      'The public API. Authenticate with a workspace API key: `Authorization: Bearer cbk_…`. Errors are `{ "error": { "code", "message", "details" } }`; ' +
        "another workspace's ids answer 404.",
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A workspace API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths = { ...document.paths, ...CREDENTIAL_READ_OPENAPI };
  return document;
}

/** Serves the document at /openapi.json and a browsable UI at /docs. Call before `listen`. */
export function serveOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
