import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;
interface DocumentedOperation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const DOCUMENT = JSON.parse(readFileSync(join(__dirname, '../../docs/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, { responses: DocumentedOperation['responses'] }>> };

/**
 * Checks real answers against docs/openapi.json: every JSON body must match the schema documented
 * for its operation and status, with no member the document does not name, so the document and the
 * services' mappers cannot drift apart. Wrap the `fetch` a client uses with {@link checkingFetch}.
 */
export class OpenApiConformance {
  readonly violations: string[] = [];
  readonly seen = new Set<string>();
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly operations: DocumentedOperation[];

  constructor() {
    addFormats(this.ajv);
    this.ajv.addSchema(closed(nullableAsAnyOf(DOCUMENT)) as Json, 'openapi');
    this.operations = Object.entries(DOCUMENT.paths).flatMap(([template, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        responses: operation.responses,
      })),
    );
  }

  /** A `fetch` that checks every answer it passes on. */
  checkingFetch(inner: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const response = await inner(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      await this.check(method, url.pathname, response.clone()).catch((error: Error) => this.violations.push(`${method} ${url.pathname}: ${error.message}`));
      return response;
    };
  }

  async check(method: string, pathname: string, response: Response): Promise<void> {
    const operation = this.operations.find((candidate) => candidate.method === method && candidate.pattern.test(pathname));
    const name = `${method} ${operation?.template ?? pathname} ${response.status}`;
    if (!operation) return void this.violations.push(`${name}: not in the document`);
    this.seen.add(`${method} ${operation.template}`);
    const documented = operation.responses[String(response.status)];
    if (!documented) return void this.violations.push(`${name}: status not documented`);
    const text = await response.text();
    if (!documented.content) return void (text === '' || this.violations.push(`${name}: a body where none is documented`));
    if (!(response.headers.get('content-type') ?? '').startsWith('application/json')) return;
    const pointer = ['paths', operation.template, method.toLowerCase(), 'responses', String(response.status), 'content', 'application/json', 'schema'].map(escapePointer).join('/');
    const validate = this.ajv.getSchema(`openapi#/${pointer}`);
    if (!validate) return void this.violations.push(`${name}: no JSON schema documented`);
    if (!validate(JSON.parse(text))) {
      const errors = (validate.errors ?? []).map((error) => `body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
      this.violations.push(`${name}: ${errors.join('; ')}`);
    }
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** OpenAPI 3.0's `nullable` as JSON Schema. */
function nullableAsAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsAnyOf);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Json;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, nullableAsAnyOf(value)]));
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

/** Objects with named members allow no others unless they say so. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const object = Object.fromEntries(Object.entries(node as Json).map(([key, value]) => [key, closed(value)]));
  if (object['type'] === 'object' && object['properties'] !== undefined && object['additionalProperties'] === undefined) object['additionalProperties'] = false;
  return object;
}
