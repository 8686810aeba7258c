import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { parseApiKey } from '../../apps/gateway/src/auth/api-key-format';

const run = promisify(execFile);

describe('gateway: workspaces, API keys and the edge', () => {
  let system: RunningSystem;
  let base: string;
  let admin: { workspaceId: string; apiKey: string; apiKeyId: string };

  const call = (path: string, init: RequestInit & { key?: string } = {}): Promise<Response> => {
    const { key, ...rest } = init;
    const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) };
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    if (rest.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return fetch(`${base}${path}`, { ...rest, headers });
  };
  const withDatabase = async <T>(work: (sql: Client) => Promise<T>): Promise<T> => {
    const sql = new Client({ connectionString: system.databaseUrl });
    await sql.connect();
    try {
      return await work(sql);
    } finally {
      await sql.end();
    }
  };
  const errorCode = async (response: Response): Promise<string> => ((await response.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    system = await startSystem({ services: ['connector-config', 'oauth-authorization', 'gateway'] });
    base = system.urls.gateway;
    admin = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'Acme');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('answers 401 unauthorized for a missing, malformed or unknown key', async () => {
    const unknown = admin.apiKey.replace(/_[^_]{16}_/, '_0000000000000000_');
    for (const authorization of [undefined, 'Bearer', 'Basic abc', `Bearer ${admin.apiKey}x`, `Bearer ${unknown}`, `bearer ${admin.apiKey} extra`, 'Bearer cbk_zz_zz']) {
      const response = await fetch(`${base}/v1/api-keys`, { headers: authorization === undefined ? {} : { authorization } });
      expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 });
      expect(await errorCode(response)).toBe('unauthorized');
    }
  });

  it('keeps health public and serves the OpenAPI document and its UI', async () => {
    expect((await call('/health/live')).status).toBe(200);
    const document = (await (await call('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/api-keys', '/v1/api-keys/{id}', '/v1/connectors', '/v1/connectors/{id}', '/v1/connectors/{id}/activate', '/v1/connectors/{id}/deactivate', '/v1/connector-templates']));
    const ui = await call('/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('creates a key once, stores only its hash, enforces its scopes and revokes it', async () => {
    const created = await call('/v1/api-keys', { method: 'POST', key: admin.apiKey, body: JSON.stringify({ name: 'connect only', scopes: ['connect'] }) });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; apiKey: string; prefix: string; scopes: string[] };
    expect(key.apiKey).toMatch(/^cbk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key.apiKey.startsWith(key.prefix)).toBe(true);
    expect(key.scopes).toEqual(['connect']);

    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    try {
      const dump = JSON.stringify((await db.query('SELECT * FROM gateway.api_keys')).rows);
      expect(dump).not.toContain(parseApiKey(key.apiKey)?.secret);
    } finally {
      await db.end();
    }

    const forbidden = await call('/v1/connectors', { key: key.apiKey });
    expect(forbidden.status).toBe(403);
    const body = (await forbidden.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('forbidden');
    expect(body.error.message).toContain('admin');

    const listed = (await (await call('/v1/api-keys', { key: admin.apiKey })).json()) as { items: Array<Record<string, unknown>> };
    expect(listed.items.map((k) => k.id)).toEqual([admin.apiKeyId, key.id]);
    expect(JSON.stringify(listed)).not.toContain(key.apiKey);

    expect((await call(`/v1/api-keys/${key.id}`, { method: 'DELETE', key: admin.apiKey })).status).toBe(204);
    const revoked = await call('/v1/connectors', { key: key.apiKey });
    expect(revoked.status).toBe(401);
    expect(await errorCode(revoked)).toBe('unauthorized');
  });

  it('a key revoked through one gateway instance, or by SQL, stops working on every instance', async () => {
    const second = await system.startExtraInstance('gateway');
    const issue = async (name: string): Promise<{ id: string; apiKey: string }> =>
      (await (await call('/v1/api-keys', { method: 'POST', key: admin.apiKey, body: JSON.stringify({ name, scopes: ['admin'] }) })).json()) as { id: string; apiKey: string };
    const statusOn = async (url: string, key: string): Promise<number> => (await fetch(`${url}/v1/connectors`, { headers: { authorization: `Bearer ${key}` } })).status;
    const refusedOn = (url: string, key: string, description: string): Promise<boolean> =>
      waitFor(async () => (await statusOn(url, key)) === 401, { timeoutMs: 3_000, intervalMs: 20, description });

    const revokedByApi = await issue('revoked through the API');
    expect([await statusOn(base, revokedByApi.apiKey), await statusOn(second.url, revokedByApi.apiKey)]).toEqual([200, 200]);
    expect((await call(`/v1/api-keys/${revokedByApi.id}`, { method: 'DELETE', key: admin.apiKey })).status).toBe(204);
    expect(await statusOn(base, revokedByApi.apiKey)).toBe(401);
    await refusedOn(second.url, revokedByApi.apiKey, 'the other instance to refuse the revoked key');

    const revokedBySql = await issue('revoked by SQL');
    expect([await statusOn(base, revokedBySql.apiKey), await statusOn(second.url, revokedBySql.apiKey)]).toEqual([200, 200]);
    await withDatabase((sql) => sql.query('UPDATE gateway.api_keys SET revoked_at = now() WHERE id = $1', [revokedBySql.id]));
    await refusedOn(base, revokedBySql.apiKey, 'the first instance to refuse the key revoked by SQL');
    await refusedOn(second.url, revokedBySql.apiKey, 'the second instance to refuse the key revoked by SQL');
  });

  it('a gateway that loses the connection it follows key changes on forgets every key it kept', async () => {
    const key = (await (await call('/v1/api-keys', { method: 'POST', key: admin.apiKey, body: JSON.stringify({ name: 'kept', scopes: ['admin'] }) })).json()) as { id: string; apiKey: string };
    expect((await call('/v1/connectors', { key: key.apiKey })).status).toBe(200);
    // The listening connection goes away, and the key is revoked while nobody listens.
    await withDatabase(async (sql) => {
      const terminated = await sql.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gateway-api-key-changes'");
      expect(terminated.rowCount).toBeGreaterThanOrEqual(1);
      await sql.query('UPDATE gateway.api_keys SET revoked_at = now() WHERE id = $1', [key.id]);
    });
    await waitFor(async () => (await call('/v1/connectors', { key: key.apiKey })).status === 401, { timeoutMs: 3_000, intervalMs: 20, description: 'the key revoked while nobody listened to be refused' });
    // it listens again, and a later revocation by SQL is heard
    const later = (await (await call('/v1/api-keys', { method: 'POST', key: admin.apiKey, body: JSON.stringify({ name: 'kept later', scopes: ['admin'] }) })).json()) as { id: string; apiKey: string };
    await withDatabase(async (sql) =>
      waitFor(async () => ((await sql.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'gateway-api-key-changes'")).rowCount ?? 0) >= 1, {
        timeoutMs: 10_000,
        intervalMs: 100,
        description: 'the gateway to listen again',
      }),
    );
    expect((await call('/v1/connectors', { key: later.apiKey })).status).toBe(200);
    await withDatabase((sql) => sql.query('UPDATE gateway.api_keys SET revoked_at = now() WHERE id = $1', [later.id]));
    await waitFor(async () => (await call('/v1/connectors', { key: later.apiKey })).status === 401, { timeoutMs: 3_000, intervalMs: 20, description: 'the later revocation to be heard' });
  });

  it("answers 404 for another workspace's key id and for ids that are not UUIDs", async () => {
    const other = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'Other');
    expect((await call(`/v1/api-keys/${admin.apiKeyId}`, { method: 'DELETE', key: other.apiKey })).status).toBe(404);
    expect((await call('/v1/api-keys/not-a-uuid', { method: 'DELETE', key: other.apiKey })).status).toBe(404);
    expect((await call('/v1/connectors', { key: admin.apiKey })).status).toBe(200);
  });

  it('rejects bad key requests with every offending path', async () => {
    const response = await call('/v1/api-keys', { method: 'POST', key: admin.apiKey, body: JSON.stringify({ scopes: ['root'], extra: 1 }) });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { errors: Array<{ path: string }> } } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['name', 'scopes', 'extra']));
  });

  it('answers malformed JSON with 400 malformed_json and an oversized body with 413', async () => {
    const malformed = await call('/v1/connectors', { method: 'POST', key: admin.apiKey, body: '{"slug": ' });
    expect(malformed.status).toBe(400);
    expect(await errorCode(malformed)).toBe('malformed_json');
    const oversized = await call('/v1/connectors', { method: 'POST', key: admin.apiKey, body: JSON.stringify({ slug: 'x', name: 'x'.repeat(200_000), config: { mode: 'BEARER' } }) });
    expect(oversized.status).toBe(413);
    expect(await errorCode(oversized)).toBe('payload_too_large');
  });

  it('creates a workspace from the command line and prints its admin key once', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'create-workspace', '--name', 'From CLI'], {
      cwd: `${__dirname}/../..`,
      env: { ...process.env, DATABASE_URL: system.databaseUrls.gateway },
      timeout: 90_000,
    });
    const printed = JSON.parse(stdout.trim()) as { workspaceId: string; apiKey: string };
    expect(printed.workspaceId).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await call('/v1/api-keys', { key: printed.apiKey });
    expect(listed.status).toBe(200);
    const keys = (await listed.json()) as { items: Array<{ scopes: string[] }> };
    expect(keys.items).toHaveLength(1);
    expect(keys.items[0]?.scopes).toEqual(['admin', 'connect', 'credentials:read', 'proxy']);
  });

  it('answers 503 upstream_unavailable when connector-config is down', async () => {
    await system.stopService('connector-config');
    const response = await call('/v1/connectors', { key: admin.apiKey });
    expect(response.status).toBe(503);
    expect(await errorCode(response)).toBe('upstream_unavailable');
  });
});
