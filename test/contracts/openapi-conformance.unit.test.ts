import { OpenApiConformance } from '../support/openapi-conformance';

const ID = '3f1c2d4e-0000-4000-8000-000000000000';
const CONNECTOR = {
  id: ID,
  workspaceId: ID,
  slug: 'acme',
  name: 'Acme',
  mode: 'OAUTH2',
  status: 'draft',
  version: 1,
  templateId: null,
  config: { mode: 'OAUTH2', clientId: 'client', clientSecret: { isSet: true }, scopes: ['read'] },
  createdAt: '2026-12-04T10:00:00.000Z',
  updatedAt: '2026-12-04T10:00:00.000Z',
  activatedAt: null,
  deactivatedAt: null,
};

async function violationsOf(method: string, path: string, status: number, body: unknown): Promise<string[]> {
  const conformance = new OpenApiConformance();
  await conformance.check(method, path, new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  return conformance.violations;
}

describe('the OpenAPI conformance check used by the integration tests', () => {
  it('accepts an answer that matches its documented schema', async () => {
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 200, CONNECTOR)).toEqual([]);
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 404, { error: { code: 'not_found', message: 'connector was not found' } })).toEqual([]);
  });

  it('refuses a member the document does not name, at the top and inside the configuration', async () => {
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 200, { ...CONNECTOR, internalNote: 'x' })).toEqual([expect.stringContaining('internalNote')]);
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 200, { ...CONNECTOR, config: { ...CONNECTOR.config, clientSecret: 'plain' } })).toEqual([expect.stringContaining('config')]);
  });

  it('refuses a missing member, a wrong type, an undocumented status and a foreign error shape', async () => {
    const { slug: _slug, ...withoutSlug } = CONNECTOR;
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 200, withoutSlug)).toEqual([expect.stringContaining('slug')]);
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 200, { ...CONNECTOR, version: '1' })).toEqual([expect.stringContaining('version')]);
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 418, {})).toEqual([expect.stringContaining('status not documented')]);
    expect(await violationsOf('GET', `/v1/connectors/${ID}`, 404, { message: 'not found' })).toEqual([expect.stringContaining('404')]);
    expect(await violationsOf('GET', '/v1/nowhere', 200, {})).toEqual([expect.stringContaining('not in the document')]);
  });
});
