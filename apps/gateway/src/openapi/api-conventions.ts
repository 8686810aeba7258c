import type { OpenAPIObject } from '@nestjs/swagger';

/** Marks an operation `@Public()` in the document; replaced by `security: []`. */
export const PUBLIC_OPERATION = 'x-public';

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Responses = Operation['responses'];

/**
 * What every operation of the public API shares, written once instead of at each route: its
 * security (an API key unless public), the answers of the key guard (401, 403), of the id check
 * (404) and of body validation (400), and one error schema for every error answer. Throws when a
 * route lacks what no convention can supply (a summary, or a decision about its security).
 */
export function applyApiConventions(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) completeOperation(`${method.toUpperCase()} ${path}`, path, operation);
    }
  }
  return document;
}

function completeOperation(name: string, path: string, operation: Operation & { [PUBLIC_OPERATION]?: boolean }): void {
  if (!operation.summary) throw new Error(`${name} has no summary: add @ApiOperation({ summary })`);
  const isPublic = operation[PUBLIC_OPERATION] === true;
  delete operation[PUBLIC_OPERATION];
  if (isPublic) operation.security = [];
  else if (!operation.security?.length) throw new Error(`${name} is neither @Public() nor documented with @ApiBearerAuth()`);
  const responses = operation.responses;
  if (operation.requestBody) addAnswer(responses, '400', '`validation_failed` with every offending path in `details.errors`, or `malformed_json`.');
  if (!isPublic) {
    addAnswer(responses, '401', '`unauthorized`: the API key is missing, malformed, unknown or revoked.');
    addAnswer(responses, '403', '`forbidden`: the API key lacks a scope this route needs (named in `details.missingScopes`).');
  }
  if (path.includes('{id}')) addAnswer(responses, '404', "`not_found`: no such resource in the caller's workspace (another workspace's ids answer the same).");
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400 && response && !('$ref' in response) && !response.content) response.content = ERROR_CONTENT;
  }
}

function addAnswer(responses: Responses, status: string, description: string): void {
  responses[status] ??= { description };
}
