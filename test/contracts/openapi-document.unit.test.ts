import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateOpenApiDocument, OPENAPI_FILE } from '../../apps/gateway/src/openapi/openapi.script';

type Schema = { $ref?: string; properties?: object; type?: string; oneOf?: unknown[] };
type Response = { content?: Record<string, { schema?: Schema }> };
type Operation = { operationId: string; requestBody?: { content: Record<string, { schema?: Schema }> }; responses: Record<string, Response> };

const ROOT = join(__dirname, '../..');
const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(committed.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, method, operation })));
/** POST routes that read no body: the path says everything. */
const BODILESS = ['ConnectorsHttpController_activate', 'ConnectorsHttpController_deactivate', 'ConnectHttpController_authorize', 'WebhookEndpointsHttpController_replay'];

function isTyped(schema: Schema | undefined): boolean {
  return schema !== undefined && (schema.$ref !== undefined || schema.properties !== undefined || schema.oneOf !== undefined || schema.type === 'string');
}

describe('docs/openapi.json', () => {
  it('is the document the gateway generates from its code (run `npm run contracts` after changing routes)', async () => {
    expect(JSON.parse(JSON.stringify(await generateOpenApiDocument()))).toEqual(committed);
  });

  it('types the request body of every operation that takes one', () => {
    const untyped = operations
      .filter(({ method, operation }) => ['post', 'put', 'patch'].includes(method) && !BODILESS.includes(operation.operationId))
      .filter(({ operation }) => !operation.requestBody || !Object.values(operation.requestBody.content).every((media) => isTyped(media.schema)))
      .map(({ name }) => name);
    expect(untyped).toEqual([]);
  });

  it('types every answer with a body, and every error answer with the one error schema', () => {
    const problems = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.responses).flatMap(([status, response]) => {
        const media = Object.entries(response.content ?? {});
        if (Number(status) >= 400) {
          const json = response.content?.['application/json'];
          return json?.schema?.$ref === '#/components/schemas/ErrorBody' || media.every(([type]) => type === 'text/html') && media.length > 0 ? [] : [`${name} ${status}: not ErrorBody`];
        }
        if (status === '204' || status === '303') return media.length === 0 ? [] : [`${name} ${status}: has a body`];
        return media.length > 0 && media.every(([, m]) => isTyped(m.schema)) ? [] : [`${name} ${status}: untyped`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('lists the 4xx answers of every operation', () => {
    expect(operations.filter(({ operation }) => !Object.keys(operation.responses).some((status) => status.startsWith('4'))).map(({ name }) => name)).toEqual([]);
  });

  it('is what the SDK types are generated from (run `npm run contracts` after changing routes)', async () => {
    const generated = join(mkdtempSync(join(tmpdir(), 'sdk-types-')), 'openapi.ts');
    await promisify(execFile)(join(ROOT, 'node_modules/.bin/openapi-typescript'), [OPENAPI_FILE, '-o', generated], { cwd: ROOT });
    expect(readFileSync(generated, 'utf8')).toEqual(readFileSync(join(ROOT, 'libs/sdk/src/generated/openapi.ts'), 'utf8'));
  }, 30_000);

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/redocly'), ['lint', OPENAPI_FILE, '--format=json'], { cwd: ROOT }).catch(
      (failure: { stdout: string }) => failure,
    );
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 30_000);
});
