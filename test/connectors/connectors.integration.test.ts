import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { listTemplates } from '@cb/auth-modes';
import { ConnectorActivated, ConnectorDeactivated } from '@cb/events';
import { Keyring } from '@cb/vault-crypto';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { collectMessages, CollectedMessage, MessageCollector, waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';

interface ConnectorView {
  id: string;
  workspaceId: string;
  slug: string;
  name: string;
  mode: string;
  status: string;
  version: number;
  templateId: string | null;
  config: Record<string, unknown> & { clientSecret?: unknown; fields?: Array<Record<string, unknown>> };
  statusNote: string;
}
interface ErrorView {
  error: { code: string; message: string; details?: { errors?: Array<{ path: string; message: string }> } };
}

describe('connectors through the gateway', () => {
  let system: RunningSystem;
  let keyring: Keyring;
  let collector: MessageCollector;
  let db: Client;
  let acme: { workspaceId: string; apiKey: string };
  let globex: { workspaceId: string; apiKey: string };
  const canaries: string[] = [];

  const canary = (label: string): string => {
    const value = `canary-${label}-${randomBytes(8).toString('hex')}`;
    canaries.push(value);
    return value;
  };
  const call = async <T = ConnectorView>(method: string, path: string, options: { key?: string; body?: unknown; rawBody?: string } = {}): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? acme.apiKey}` };
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${system.urls.gateway}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const messagesFor = (topic: string, id: string): CollectedMessage[] => collector.messages.filter((m) => m.topic === system.topic(topic) && m.key === id);
  const waitForMessage = (topic: string, id: string, predicate: (payload: Record<string, unknown>) => boolean = () => true): Promise<CollectedMessage> =>
    waitFor(() => messagesFor(topic, id).find((m) => predicate(JSON.parse(m.value) as Record<string, unknown>)), { timeoutMs: 15_000, description: `${topic} for ${id}` });
  const expectNoCanary = (text: string): void => {
    for (const value of canaries) expect(text).not.toContain(value);
  };
  const dumpTables = async (): Promise<string> => {
    const tables = ['connectors', 'connector_versions', 'outbox'];
    const rows: unknown[] = [];
    for (const table of tables) rows.push((await db.query(`SELECT * FROM connector_config.${table} ORDER BY 1`)).rows);
    return JSON.stringify(rows);
  };

  beforeAll(async () => {
    system = await startSystem({ services: ['connector-config', 'oauth-authorization', 'gateway'] });
    keyring = Keyring.fromConfig(system.env.VAULT_KEYS as string);
    const gatewayDb = system.app('gateway').get(DataSource);
    acme = await createWorkspaceWithAdminKey(gatewayDb, 'Acme');
    globex = await createWorkspaceWithAdminKey(gatewayDb, 'Globex');
    collector = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(ConnectorActivated.topic), system.topic(ConnectorDeactivated.topic)] });
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await collector?.stop();
    await db?.end();
    await system?.stop();
  });

  /** Create, read back, activate (observe the event), deactivate (observe the event). */
  async function exerciseLifecycle(create: Record<string, unknown>, expectations: { mode: string; secrets: Record<string, string> }): Promise<ConnectorView> {
    const created = await call('POST', '/v1/connectors', { body: create });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: expectations.mode, status: 'draft', version: 1, workspaceId: acme.workspaceId });
    const read = await call('GET', `/v1/connectors/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expectNoCanary(JSON.stringify(read.body));
    if ('clientSecret' in expectations.secrets) expect(read.body.config.clientSecret).toEqual({ isSet: true });

    const activated = await call('POST', `/v1/connectors/${created.body.id}/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ status: 'active', version: 1 });
    const message = await waitForMessage(ConnectorActivated.topic, created.body.id);
    expect(message.key).toBe(created.body.id);
    expect(message.headers).toMatchObject({ ce_specversion: '1.0', ce_type: ConnectorActivated.type, ce_source: '/credential-broker/connector-config', 'content-type': 'application/json' });
    expect(message.headers.ce_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(message.headers.ce_time ?? ''))).toBe(false);
    const payload = JSON.parse(message.value) as Record<string, unknown> & { config: Record<string, unknown>; sealedSecrets: { clientSecret?: string; fieldDefaults?: Record<string, string> } };
    expect(payload).toMatchObject({ connectorId: created.body.id, workspaceId: acme.workspaceId, slug: created.body.slug, name: created.body.name, mode: expectations.mode, version: 1 });
    expect(payload.config.mode).toBe(expectations.mode);
    expectNoCanary(JSON.stringify(message));
    // The secrets travel sealed for this event, and open to what was submitted.
    const context = `ConnectorActivated:${created.body.id}`;
    for (const [path, secret] of Object.entries(expectations.secrets)) {
      const sealed = path === 'clientSecret' ? payload.sealedSecrets.clientSecret : payload.sealedSecrets.fieldDefaults?.[path.split('.')[1] as string];
      expect(sealed).toMatch(/^v1\./);
      expect(keyring.open(sealed as string, context)).toBe(secret);
    }

    const deactivated = await call('POST', `/v1/connectors/${created.body.id}/deactivate`);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.status).toBe('inactive');
    expect(deactivated.body.statusNote).toMatch(/existing connections keep working/);
    const off = await waitForMessage(ConnectorDeactivated.topic, created.body.id);
    expect(off.headers.ce_type).toBe(ConnectorDeactivated.type);
    expect(JSON.parse(off.value)).toMatchObject({ connectorId: created.body.id, workspaceId: acme.workspaceId, version: 1 });
    return created.body;
  }

  describe('each auth mode', () => {
    it('OAUTH2: create, read back without the secret, activate, deactivate', async () => {
      const secret = canary('oauth2');
      await exerciseLifecycle(
        {
          slug: 'mode-oauth2',
          name: 'OAuth2 API',
          config: {
            mode: 'OAUTH2',
            authorizationUrl: 'https://auth.example.com/authorize',
            tokenUrl: 'https://auth.example.com/token',
            clientId: 'client-1',
            clientSecret: secret,
            scopes: ['read', 'write'],
            authorizationParams: { prompt: 'consent' },
          },
        },
        { mode: 'OAUTH2', secrets: { clientSecret: secret } },
      );
    });

    it('BASIC', async () => {
      await exerciseLifecycle({ slug: 'mode-basic', name: 'Basic API', config: { mode: 'BASIC', usernameLabel: 'Login' } }, { mode: 'BASIC', secrets: {} });
    });

    it('API_KEY', async () => {
      await exerciseLifecycle({ slug: 'mode-api-key', name: 'Key API', config: { mode: 'API_KEY', placement: 'header', headerName: 'X-Api-Key' } }, { mode: 'API_KEY', secrets: {} });
    });

    it('BEARER', async () => {
      await exerciseLifecycle({ slug: 'mode-bearer', name: 'Bearer API', config: { mode: 'BEARER', label: 'Personal token' } }, { mode: 'BEARER', secrets: {} });
    });

    it('CUSTOM, with a secret default that is shown only as isSet', async () => {
      const secret = canary('custom');
      const connector = await exerciseLifecycle(
        {
          slug: 'mode-custom',
          name: 'Custom API',
          config: {
            mode: 'CUSTOM',
            fields: [
              { key: 'apiKey', label: 'API key', type: 'password', required: true, default: secret },
              { key: 'expires_in', label: 'Expires in', type: 'number', default: 100000, hidden: true, disabled: true },
            ],
            expiry: { fromField: 'expires_in' },
          },
        },
        { mode: 'CUSTOM', secrets: { 'fields.apiKey.default': secret } },
      );
      expect(connector.config.fields?.[0]).toMatchObject({ key: 'apiKey', default: { isSet: true } });
      expect(connector.config.fields?.[1]).toMatchObject({ key: 'expires_in', default: 100000 });
    });
  });

  describe('each template', () => {
    it('lists the built-in templates', async () => {
      const templates = await call<{ items: Array<{ id: string }> }>('GET', '/v1/connector-templates');
      expect(templates.status).toBe(200);
      expect(templates.body.items.map((t) => t.id)).toEqual(expect.arrayContaining(['microsoft', 'google', 'slack', 'github', 'salesforce', 'hubspot', 'atlassian']));
    });

    it.each(listTemplates().map((t) => [t.id, t.mode]))('%s (%s): needs only a client id, a secret and scopes for OAuth2, nothing for the other modes', async (templateId, mode) => {
      if (mode === 'OAUTH2') {
        const secret = canary(`template-${templateId}`);
        const connector = await exerciseLifecycle({ templateId, clientId: `${templateId}-client`, clientSecret: secret }, { mode: 'OAUTH2', secrets: { clientSecret: secret } });
        expect(connector).toMatchObject({ slug: templateId, templateId });
        expect(connector.config.clientId).toBe(`${templateId}-client`);
      } else {
        const connector = await exerciseLifecycle({ templateId }, { mode, secrets: {} });
        expect(connector).toMatchObject({ slug: templateId, templateId, config: { mode, apiBaseUrl: expect.any(String) } });
      }
    });
  });

  it('keeps only ciphertext in the database, the outbox and the logs', async () => {
    expect(canaries.length).toBeGreaterThanOrEqual(8);
    const rows = (await db.query('SELECT id, sealed_secrets FROM connector_config.connectors')).rows as Array<{ id: string; sealed_secrets: Record<string, string> }>;
    const oauth = rows.find((r) => Object.keys(r.sealed_secrets).includes('clientSecret'));
    expect(oauth?.sealed_secrets.clientSecret).toMatch(/^v1\.test1\./);
    const everything = (await db.query(`SELECT string_agg(t::text, '') AS text FROM (SELECT c::text AS t FROM connector_config.connectors c UNION ALL SELECT v::text FROM connector_config.connector_versions v UNION ALL SELECT o::text FROM connector_config.outbox o) all_rows`)).rows[0].text as string;
    expectNoCanary(everything);
    expectNoCanary(system.logs());
  });

  describe('bad input', () => {
    const paths = (body: unknown): string[] => ((body as ErrorView).error.details?.errors ?? []).map((e) => e.path).sort();

    it('answers 400 (or 409, 413) with every offending path and writes nothing', async () => {
      expect((await call('POST', '/v1/connectors', { body: { slug: 'taken', name: 'Taken', config: { mode: 'BEARER' } } })).status).toBe(201);
      const before = await dumpTables();
      const cases: Array<{ body?: unknown; rawBody?: string; status: number; code: string; paths?: string[] }> = [
        { body: { slug: 'bad-mode', name: 'Bad', config: { mode: 'SAML' } }, status: 400, code: 'validation_failed', paths: ['config.mode'] },
        { body: { config: { mode: 'BEARER' } }, status: 400, code: 'validation_failed', paths: ['name', 'slug'] },
        { body: { slug: 'ok-slug', name: 'No config' }, status: 400, code: 'validation_failed', paths: ['config'] },
        {
          body: { slug: 'Bad Slug!', name: '', config: { mode: 'OAUTH2', scopes: 'read', pkce: 'yes', clientId: 7 } },
          status: 400,
          code: 'validation_failed',
          paths: ['config.clientId', 'config.pkce', 'config.scopes', 'name', 'slug'],
        },
        {
          body: { slug: 'plain-http', name: 'Plain', config: { mode: 'OAUTH2', authorizationUrl: 'http://auth.example.com/authorize', tokenUrl: 'http://auth.example.com/token' } },
          status: 400,
          code: 'validation_failed',
          paths: ['config.authorizationUrl', 'config.tokenUrl'],
        },
        { body: { slug: 'unknown-fields', name: 'Unknown', config: { mode: 'BEARER', colour: 'red' }, extra: true }, status: 400, code: 'validation_failed', paths: ['config.colour', 'extra'] },
        { body: { slug: 'bad-placeholder', name: 'X', config: { mode: 'OAUTH2', authorizationUrl: 'https://{nope}.example.com/a' } }, status: 400, code: 'validation_failed', paths: ['config.authorizationUrl'] },
        { body: { templateId: 'nope', clientId: 'x' }, status: 400, code: 'validation_failed', paths: ['templateId'] },
        { body: { templateId: 'google', clientSecret: 'x', scopes: 'email', config: {} }, status: 400, code: 'validation_failed', paths: ['clientId', 'config', 'scopes'] },
        { body: [1, 2], status: 400, code: 'validation_failed', paths: [''] },
        { rawBody: '{"slug": "x", ', status: 400, code: 'malformed_json' },
        { body: { slug: 'huge', name: 'Huge', config: { mode: 'BEARER', label: 'x'.repeat(100_000) } }, status: 413, code: 'payload_too_large' },
        { body: { slug: 'taken', name: 'Again', config: { mode: 'BEARER' } }, status: 409, code: 'duplicate_slug' },
      ];
      for (const c of cases) {
        const response = await call<ErrorView>('POST', '/v1/connectors', { ...(c.body === undefined ? {} : { body: c.body }), ...(c.rawBody === undefined ? {} : { rawBody: c.rawBody }) });
        expect({ request: c.body ?? c.rawBody, status: response.status, code: response.body.error.code }).toEqual({ request: c.body ?? c.rawBody, status: c.status, code: c.code });
        if (c.paths) expect({ request: c.body, paths: paths(response.body) }).toEqual({ request: c.body, paths: c.paths });
      }
      for (const query of ['mode=SAML', 'status=gone', 'limit=0', 'limit=abc', 'colour=red']) {
        expect((await call('GET', `/v1/connectors?${query}`)).status).toBe(400);
      }
      expect(await dumpTables()).toBe(before);
    });

    it('refuses bad updates and writes nothing', async () => {
      const secret = canary('update');
      const created = await call('POST', '/v1/connectors', {
        body: { slug: 'update-target', name: 'Target', config: { mode: 'OAUTH2', authorizationUrl: 'https://a.example.com/a', tokenUrl: 'https://a.example.com/t', clientId: 'c', clientSecret: secret } },
      });
      expect((await call('POST', `/v1/connectors/${created.body.id}/activate`)).status).toBe(200);
      await waitForMessage(ConnectorActivated.topic, created.body.id);
      const before = await dumpTables();
      const id = created.body.id;
      const cases: Array<{ body: unknown; status: number; code: string; paths?: string[] }> = [
        { body: { config: { mode: 'OAUTH2', authorizationUrl: 'ftp://a.example.com/a', tokenUrl: 'https://a.example.com/t', clientId: 'c' } }, status: 400, code: 'validation_failed', paths: ['config.authorizationUrl'] },
        { body: { config: { mode: 'OAUTH2', tokenUrl: 'https://a.example.com/t' } }, status: 400, code: 'validation_failed', paths: ['config.authorizationUrl', 'config.clientId'] },
        { body: { name: 42, unknown: 1 }, status: 400, code: 'validation_failed', paths: ['name', 'unknown'] },
        { body: { config: { mode: 'BEARER' } }, status: 409, code: 'mode_change_refused' },
        { body: { slug: 'taken' }, status: 409, code: 'duplicate_slug' },
      ];
      for (const c of cases) {
        const response = await call<ErrorView>('PATCH', `/v1/connectors/${id}`, { body: c.body });
        expect({ request: c.body, status: response.status, code: response.body.error.code }).toEqual({ request: c.body, status: c.status, code: c.code });
        if (c.paths) expect(paths(response.body)).toEqual(c.paths);
      }
      expect((await call('DELETE', `/v1/connectors/${id}`)).status).toBe(409);
      expect(await dumpTables()).toBe(before);
    });

    it('accepts http on loopback in development mode', async () => {
      const created = await call('POST', '/v1/connectors', {
        body: { slug: 'loopback', name: 'Local', config: { mode: 'OAUTH2', authorizationUrl: 'http://127.0.0.1:9999/authorize', tokenUrl: 'http://localhost:9999/token', clientId: 'c' } },
      });
      expect(created.status).toBe(201);
    });
  });

  it('refuses activation listing every missing item, and announces nothing', async () => {
    const oauth = await call('POST', '/v1/connectors', { body: { slug: 'incomplete-oauth', name: 'Incomplete', config: { mode: 'OAUTH2' } } });
    expect(oauth.status).toBe(201);
    const refused = await call<ErrorView>('POST', `/v1/connectors/${oauth.body.id}/activate`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('activation_refused');
    expect(refused.body.error.details?.errors?.map((e) => e.path).sort()).toEqual(['config.authorizationUrl', 'config.clientId', 'config.tokenUrl']);

    const custom = await call('POST', '/v1/connectors', { body: { slug: 'incomplete-custom', name: 'Incomplete', config: { mode: 'CUSTOM', fields: [] } } });
    const refusedCustom = await call<ErrorView>('POST', `/v1/connectors/${custom.body.id}/activate`);
    expect(refusedCustom.status).toBe(422);
    expect(refusedCustom.body.error.details?.errors?.map((e) => e.path)).toEqual(['config.fields']);
    expect((await call('GET', `/v1/connectors/${oauth.body.id}`)).body.status).toBe('draft');
    const outbox = (await db.query(`SELECT count(*)::int AS n FROM connector_config.outbox WHERE message_key IN ($1, $2)`, [oauth.body.id, custom.body.id])).rows[0].n as number;
    expect(outbox).toBe(0);
  });

  it('announces a new version when an active connector is edited, keeping an omitted secret', async () => {
    const secret = canary('edit');
    const created = await call('POST', '/v1/connectors', {
      body: { slug: 'editable', name: 'Editable', config: { mode: 'OAUTH2', authorizationUrl: 'https://e.example.com/a', tokenUrl: 'https://e.example.com/t', clientId: 'c1', clientSecret: secret } },
    });
    const id = created.body.id;
    await call('POST', `/v1/connectors/${id}/activate`);
    await waitForMessage(ConnectorActivated.topic, id, (p) => p.version === 1);

    const edited = await call('PATCH', `/v1/connectors/${id}`, {
      body: { name: 'Edited', config: { mode: 'OAUTH2', authorizationUrl: 'https://e.example.com/a', tokenUrl: 'https://e.example.com/t', clientId: 'c2', scopes: ['more'] } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Edited', version: 2, status: 'active', config: { clientId: 'c2', clientSecret: { isSet: true }, scopes: ['more'] } });
    const v2 = await waitForMessage(ConnectorActivated.topic, id, (p) => p.version === 2);
    const payload = JSON.parse(v2.value) as { name: string; config: { clientId: string }; sealedSecrets: { clientSecret: string } };
    expect(payload.name).toBe('Edited');
    expect(payload.config.clientId).toBe('c2');
    expect(keyring.open(payload.sealedSecrets.clientSecret, `ConnectorActivated:${id}`)).toBe(secret);

    const unchanged = await call('PATCH', `/v1/connectors/${id}`, { body: { name: 'Edited' } });
    expect(unchanged.body.version).toBe(2);
    const versions = (await db.query('SELECT version FROM connector_config.connector_versions WHERE connector_id = $1 ORDER BY version', [id])).rows.map((r: { version: number }) => r.version);
    expect(versions).toEqual([1, 2]);
  });

  it("keeps another workspace's connectors out of reach (404) and checks keys", async () => {
    const created = await call('POST', '/v1/connectors', { body: { slug: 'private', name: 'Private', config: { mode: 'BEARER' } } });
    const id = created.body.id;
    const before = await dumpTables();
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/v1/connectors/${id}`],
      ['PATCH', `/v1/connectors/${id}`, { name: 'Stolen' }],
      ['POST', `/v1/connectors/${id}/activate`],
      ['POST', `/v1/connectors/${id}/deactivate`],
      ['DELETE', `/v1/connectors/${id}`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await call<ErrorView>(method, path, { key: globex.apiKey, ...(body === undefined ? {} : { body }) });
      expect({ method, status: response.status, code: response.body.error.code }).toEqual({ method, status: 404, code: 'not_found' });
    }
    const theirs = await call<{ items: ConnectorView[] }>('GET', '/v1/connectors', { key: globex.apiKey });
    expect(theirs.body.items).toEqual([]);
    expect(await dumpTables()).toBe(before);

    for (const path of ['/v1/connectors/not-a-uuid', '/v1/connectors/123/activate', `/v1/connectors/${id.toUpperCase()}x`]) {
      expect((await call('GET', path)).status).toBe(404);
    }

    const noKey = await fetch(`${system.urls.gateway}/v1/connectors/${id}`);
    expect(noKey.status).toBe(401);
    const malformed = await fetch(`${system.urls.gateway}/v1/connectors/${id}`, { headers: { authorization: 'Bearer not-a-key' } });
    expect(malformed.status).toBe(401);
    const connectKey = await call<{ apiKey: string; id: string }>('POST', '/v1/api-keys', { body: { name: 'connect', scopes: ['connect', 'credentials:read'] } });
    const forbidden = await call<ErrorView>('GET', `/v1/connectors/${id}`, { key: connectKey.body.apiKey });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toContain('admin');
    await call('DELETE', `/v1/api-keys/${connectKey.body.id}`);
    expect((await call('GET', `/v1/connectors/${id}`, { key: connectKey.body.apiKey })).status).toBe(401);
  });

  it('lists with filters and a cursor, and deletes drafts and inactive connectors', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await call('POST', '/v1/connectors', { body: { slug: `page-${i}`, name: `Page ${i}`, config: { mode: 'API_KEY', placement: 'query', queryParam: 'key' } } })).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `mode=API_KEY&status=draft&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call<{ items: ConnectorView[]; nextCursor: string | null }>('GET', `/v1/connectors?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) expect(item).toMatchObject({ mode: 'API_KEY', status: 'draft' });
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const active = await call<{ items: ConnectorView[] }>('GET', '/v1/connectors?status=active&limit=100');
    expect(active.body.items.every((c) => c.status === 'active')).toBe(true);
    expect(active.body.items.length).toBeGreaterThan(0);

    expect((await call('DELETE', `/v1/connectors/${ids[0]}`)).status).toBe(204);
    expect((await call('GET', `/v1/connectors/${ids[0]}`)).status).toBe(404);
    const inactive = (await call<{ items: ConnectorView[] }>('GET', '/v1/connectors?status=inactive&limit=1')).body.items[0] as ConnectorView;
    expect((await call('DELETE', `/v1/connectors/${inactive.id}`)).status).toBe(204);
  });
});
