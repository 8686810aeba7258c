/**
 * Workspaces and their keys through the API: an operator key (from the CLI's `--operator`, or from
 * another operator key) creates and lists workspaces and creates, lists and revokes keys in any of
 * them; an admin key manages only its own workspace and can give no one the operator scope.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { Gateway, newWorkspace, withDb } from '../connect/connect-helpers';

const run = promisify(execFile);

interface Key {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  revokedAt: string | null;
  apiKey?: string;
}
interface ErrorBody {
  error: { code: string; details?: { errors?: Array<{ path: string }>; missingScopes?: string[] } };
}

describe('operator keys: workspaces and their keys through the API', () => {
  let system: RunningSystem;
  let operator: Gateway;
  let operatorKeyId: string;
  let tenant: { workspaceId: string; apiKey: string; apiKeyId: string; gateway: Gateway };

  beforeAll(async () => {
    system = await startSystem();
    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'create-workspace', '--name', 'Operations', '--operator'], {
      cwd: `${__dirname}/../..`,
      env: { ...process.env, DATABASE_URL: system.databaseUrls.gateway },
      timeout: 90_000,
    });
    const printed = JSON.parse(stdout.trim()) as { workspaceId: string; apiKey: string };
    operator = new Gateway(system.urls.gateway, printed.apiKey);
    const own = await operator.call<{ items: Key[] }>('GET', '/v1/api-keys');
    expect(own.body.items).toEqual([expect.objectContaining({ name: 'operator', scopes: ['admin', 'connect', 'credentials:read', 'proxy', 'operator'] })]);
    operatorKeyId = own.body.items[0]?.id as string;
    tenant = await newWorkspace(system, 'Tenant');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('creates a workspace, lists it, and gives it a first key shown once, which works in that workspace only', async () => {
    const created = await operator.call<{ id: string; name: string; createdAt: string }>('POST', '/v1/workspaces', { body: { name: '  Globex  ' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Globex', createdAt: expect.any(String) });
    const workspaceId = created.body.id;
    const listed = await operator.call<{ items: Array<{ id: string; name: string }> }>('GET', '/v1/workspaces');
    expect(listed.body.items.map((w) => w.name)).toEqual(expect.arrayContaining(['Operations', 'Tenant', 'Globex']));

    const key = await operator.call<Key>('POST', `/v1/workspaces/${workspaceId}/api-keys`, { body: { name: 'globex admin', scopes: ['admin', 'connect'] } });
    expect(key.status).toBe(201);
    expect(key.body.apiKey).toMatch(/^cbk_/);
    const keys = await operator.call<{ items: Key[] }>('GET', `/v1/workspaces/${workspaceId}/api-keys`);
    expect(keys.body.items).toEqual([expect.objectContaining({ id: key.body.id, name: 'globex admin', scopes: ['admin', 'connect'], revokedAt: null })]);
    expect(keys.text).not.toContain(key.body.apiKey as string);
    const hash = await withDb(system, async (db) => (await db.query<{ h: string }>(`SELECT encode(secret_hash, 'hex') AS h FROM gateway.api_keys WHERE id = $1`, [key.body.id])).rows[0]?.h);
    expect(keys.text).not.toContain(hash);

    const globex = new Gateway(system.urls.gateway, key.body.apiKey as string);
    const seenByGlobex = await globex.call<{ items: Key[] }>('GET', '/v1/api-keys');
    expect(seenByGlobex.body.items.map((k) => k.id)).toEqual([key.body.id]);
    // the key event names the operator key that acted, in the workspace acted on
    const audit = await globex.call<{ items: Array<{ kind: string; apiKeyId: string | null; details: { keyId: string } }> }>('GET', '/v1/audit?kind=api_key_created');
    expect(audit.body.items).toEqual([expect.objectContaining({ kind: 'api_key_created', apiKeyId: operatorKeyId, details: expect.objectContaining({ keyId: key.body.id }) })]);

    expect((await operator.call('DELETE', `/v1/workspaces/${workspaceId}/api-keys/${key.body.id}`)).status).toBe(204);
    await waitFor(async () => ((await globex.call('GET', '/v1/api-keys')).status === 401 ? true : undefined), { timeoutMs: 5000, description: 'the revoked key to stop working' });
    expect((await operator.call<{ items: Key[] }>('GET', `/v1/workspaces/${workspaceId}/api-keys`)).body.items[0]?.revokedAt).not.toBeNull();
  });

  it('lets an operator key give the operator scope, and no admin key', async () => {
    const second = await operator.call<Key>('POST', `/v1/workspaces/${tenant.workspaceId}/api-keys`, { body: { name: 'second operator', scopes: ['operator'] } });
    expect(second.status).toBe(201);
    const secondOperator = new Gateway(system.urls.gateway, second.body.apiKey as string);
    expect((await secondOperator.call('GET', '/v1/workspaces')).status).toBe(200);
    // an operator key holds no workspace scope unless given it
    expect((await secondOperator.call('GET', '/v1/api-keys')).status).toBe(403);

    const before = await withDb(system, async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM gateway.api_keys')).rows[0]?.n);
    const refused = await tenant.gateway.call<ErrorBody>('POST', '/v1/api-keys', { body: { name: 'escalation', scopes: ['admin', 'operator'] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', details: { missingScopes: ['operator'] } });
    expect(await withDb(system, async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM gateway.api_keys')).rows[0]?.n)).toBe(before);
  });

  it("keeps an admin key out of every other workspace's keys and out of the workspace list", async () => {
    const other = await newWorkspace(system, 'Other');
    for (const [method, path, body] of [
      ['GET', '/v1/workspaces', undefined],
      ['POST', '/v1/workspaces', { name: 'sneaky' }],
      ['GET', `/v1/workspaces/${other.workspaceId}/api-keys`, undefined],
      ['POST', `/v1/workspaces/${other.workspaceId}/api-keys`, { name: 'sneaky', scopes: ['admin'] }],
      ['DELETE', `/v1/workspaces/${other.workspaceId}/api-keys/${other.apiKeyId}`, undefined],
      // its own workspace too: these routes are the operator's
      ['GET', `/v1/workspaces/${tenant.workspaceId}/api-keys`, undefined],
    ] as const) {
      const answer = await tenant.gateway.call<ErrorBody>(method, path, body === undefined ? {} : { body });
      expect(`${method} ${path}: ${answer.status} ${answer.body.error?.code}`).toBe(`${method} ${path}: 403 forbidden`);
    }
    expect((await other.gateway.call('GET', '/v1/api-keys')).status).toBe(200);
    // its own key endpoint cannot reach another workspace's key either
    expect((await tenant.gateway.call('DELETE', `/v1/api-keys/${other.apiKeyId}`)).status).toBe(404);
    expect((await other.gateway.call('GET', '/v1/api-keys')).status).toBe(200);
  });

  it('refuses a bad workspace name naming it, and answers 404 for a workspace that does not exist', async () => {
    for (const name of ['', '   ', 'two\nlines', 'x'.repeat(201)]) {
      const answer = await operator.call<ErrorBody>('POST', '/v1/workspaces', { body: { name } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.details?.errors?.map((e) => e.path)).toContain('name');
    }
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect((await operator.call<ErrorBody>('GET', `/v1/workspaces/${id}/api-keys`)).status).toBe(404);
      expect((await operator.call<ErrorBody>('POST', `/v1/workspaces/${id}/api-keys`, { body: { name: 'k', scopes: ['admin'] } })).status).toBe(404);
    }
    expect((await operator.call('DELETE', `/v1/workspaces/${tenant.workspaceId}/api-keys/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});
