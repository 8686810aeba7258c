/**
 * `GET /v1/audit`: one list over what token-issuance (credential reads, proxy calls, imports),
 * connector-config (connector changes) and the gateway (API key creations and revocations) record,
 * each asked over its own API; filters; a cursor that neither skips nor repeats an entry when the
 * sources hold entries of the same millisecond; no secret in any entry; bounded retention.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditPruner, schemaOf, type AuditEntry } from '@cb/platform';
import { auditTables as tokenIssuanceAuditTables } from '../../apps/token-issuance/src/audit/audit.http.controller';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, withDb } from '../connect/connect-helpers';

interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; details?: { errors: Array<{ path: string }> } };
}

const API_KEY_SECRET = `audited-api-key-${randomBytes(8).toString('hex')}`;
const DAY_MS = 86_400_000;

describe('the audit', () => {
  let system: RunningSystem;
  let gateway: Gateway;
  let workspaceId: string;
  let adminKeyId: string;
  let connectorId: string;
  let connectionId: string;

  const audit = (query: string, key?: string) => gateway.call<AuditPage & ErrorBody>('GET', `/v1/audit${query}`, key ? { key } : {});

  /** Every page of a query, following `nextCursor`. */
  const allPages = async (query: string, limit: number): Promise<AuditEntry[][]> => {
    const pages: AuditEntry[][] = [];
    let cursor: string | null = null;
    do {
      const separator = query ? '&' : '?';
      const answer = await audit(`${query}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status).toBe(200);
      pages.push(answer.body.items);
      cursor = answer.body.nextCursor;
      if (pages.length > 100) throw new Error('paging does not end');
    } while (cursor !== null);
    return pages;
  };

  beforeAll(async () => {
    // the gateway prunes its own audit every second, keeping 30 days: the periodic retention is under test below
    system = await startSystem({ serviceEnv: { gateway: { AUDIT_RETENTION_DAYS: '30', AUDIT_PRUNE_INTERVAL_MS: '1000' } } });
    const workspace = await newWorkspace(system, 'audited');
    gateway = workspace.gateway;
    workspaceId = workspace.workspaceId;
    adminKeyId = workspace.apiKeyId;
    connectorId = await activeConnector(gateway, 'audited-api', { mode: 'API_KEY', headerName: 'X-Api-Key' });
    const imported = await gateway.call<{ connectionId: string }>('POST', '/v1/connections/import', { body: { connectorId, endUser: { id: 'audited-user' }, credential: { apiKey: API_KEY_SECRET } } });
    expect(imported.status).toBe(201);
    connectionId = imported.body.connectionId;
    expect((await gateway.call('POST', `/v1/connections/${connectionId}/credential`, { body: {} })).status).toBe(200);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('lists credential reads, proxy calls, imports, connector changes and key events, newest first, each with who and what, never a secret', async () => {
    const created = await gateway.call<{ id: string; apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'reader', scopes: ['credentials:read'] } });
    expect(created.status).toBe(201);
    expect((await gateway.call('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(204);
    await withDb(system, (db) =>
      db.query(
        `INSERT INTO token_issuance.proxy_calls (workspace_id, connection_id, api_key_id, method, path, status, error_code, attempts, duration_ms, request_bytes, response_bytes, called_at)
         VALUES ($1, $2, $3, 'GET', '/v1/me', 200, NULL, 1, 12, 0, 42, now())`,
        [workspaceId, connectionId, adminKeyId],
      ),
    );

    const answer = await audit('');
    expect(answer.status).toBe(200);
    const kinds = answer.body.items.map((entry) => entry.kind);
    expect(new Set(kinds)).toEqual(new Set(['credential_read', 'proxy_call', 'connection_import', 'connector_change', 'api_key_created', 'api_key_revoked']));
    const times = answer.body.items.map((entry) => entry.at);
    expect([...times].sort().reverse()).toEqual(times);

    const byKind = (kind: string) => answer.body.items.filter((entry) => entry.kind === kind);
    expect(byKind('credential_read')).toEqual([
      { id: expect.stringMatching(/^cr_\d+$/), kind: 'credential_read', at: expect.any(String), apiKeyId: adminKeyId, connectionId, connectorId, details: { includeRefreshToken: false, credentialVersion: 1 } },
    ]);
    expect(byKind('proxy_call')).toEqual([
      {
        id: expect.stringMatching(/^pc_\d+$/),
        kind: 'proxy_call',
        at: expect.any(String),
        apiKeyId: adminKeyId,
        connectionId,
        connectorId,
        details: { method: 'GET', path: '/v1/me', status: 200, errorCode: null, attempts: 1, durationMs: 12 },
      },
    ]);
    expect(byKind('connection_import')).toEqual([expect.objectContaining({ apiKeyId: adminKeyId, connectionId, connectorId, details: { mode: 'API_KEY' } })]);
    expect(byKind('connector_change').map((entry) => (entry.details as { action: string }).action).sort()).toEqual(['activated', 'created']);
    expect(byKind('connector_change')[0]).toMatchObject({ apiKeyId: adminKeyId, connectorId, connectionId: null });
    expect(byKind('api_key_created')).toEqual([
      expect.objectContaining({ apiKeyId: adminKeyId, details: { keyId: created.body.id, name: 'reader', scopes: ['credentials:read'] } }),
      // the workspace's first key, made outside the API (as the CLI does): no acting key
      expect.objectContaining({ apiKeyId: null, details: { keyId: adminKeyId, name: 'admin', scopes: expect.arrayContaining(['admin']) } }),
    ]);
    expect(byKind('api_key_revoked')).toEqual([expect.objectContaining({ apiKeyId: adminKeyId, details: { keyId: created.body.id, name: 'reader', scopes: ['credentials:read'] } })]);

    expect(answer.text).not.toContain(API_KEY_SECRET);
    expect(answer.text).not.toContain(created.body.apiKey);
    expect(answer.text).not.toContain(created.body.apiKey.split('_').at(-1));
    const hash = await withDb(system, async (db) => (await db.query<{ h: string }>(`SELECT encode(secret_hash, 'hex') AS h FROM gateway.api_keys WHERE id = $1`, [created.body.id])).rows[0]?.h);
    expect(answer.text).not.toContain(hash);
  });

  it('filters by kind, connection, connector, API key and time', async () => {
    const only = async (query: string): Promise<AuditEntry[]> => {
      const answer = await audit(query);
      expect(answer.status).toBe(200);
      return answer.body.items;
    };
    expect(new Set((await only('?kind=credential_read&kind=connection_import')).map((entry) => entry.kind))).toEqual(new Set(['credential_read', 'connection_import']));
    const forConnection = await only(`?connectionId=${connectionId}`);
    expect(forConnection.length).toBeGreaterThan(0);
    expect(forConnection.every((entry) => entry.connectionId === connectionId)).toBe(true);
    const forConnector = await only(`?connectorId=${connectorId}`);
    expect(new Set(forConnector.map((entry) => entry.kind))).toEqual(new Set(['credential_read', 'proxy_call', 'connection_import', 'connector_change']));
    expect(await only(`?connectorId=${randomUUID()}`)).toEqual([]);
    const byKey = await only(`?apiKeyId=${adminKeyId}`);
    // what the key did, and the key's own creation (acted on, not acting)
    expect(byKey.every((entry) => entry.apiKeyId === adminKeyId || (entry.details as { keyId?: string }).keyId === adminKeyId)).toBe(true);
    expect(byKey.some((entry) => entry.kind === 'api_key_created' && entry.apiKeyId === null)).toBe(true);

    const everything = await only('?limit=200');
    const middle = everything[Math.floor(everything.length / 2)] as AuditEntry;
    const before = await only(`?limit=200&to=${encodeURIComponent(middle.at)}`);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((entry) => entry.at < middle.at)).toBe(true);
    const after = await only(`?limit=200&from=${encodeURIComponent(middle.at)}`);
    expect(after.every((entry) => entry.at >= middle.at)).toBe(true);
    expect(before.length + after.length).toBe(everything.length);
    expect(await only(`?from=${encodeURIComponent(new Date(Date.now() + DAY_MS).toISOString())}`)).toEqual([]);
  });

  it('pages across the three services without skipping or repeating an entry, also within one millisecond', async () => {
    // Entries of the same millisecond in every source, and more than a page of them: the merge and the tie-break by id are what keep paging exact.
    const at = new Date(Date.now() - 60_000).toISOString();
    await withDb(system, async (db) => {
      for (let i = 0; i < 4; i++) {
        await db.query(`INSERT INTO token_issuance.credential_reads (workspace_id, connection_id, api_key_id, include_refresh_token, credential_version, read_at) VALUES ($1, $2, $3, false, 1, $4)`, [workspaceId, connectionId, adminKeyId, at]);
        await db.query(
          `INSERT INTO connector_config.connector_changes (id, workspace_id, connector_id, version, action, actor, changes, changed_at) VALUES ($1, $2, $3, 1, 'updated', $4, '[]', $5)`,
          [randomUUID(), workspaceId, connectorId, `api_key:${adminKeyId}`, at],
        );
        await db.query(`INSERT INTO gateway.api_key_events (workspace_id, api_key_id, actor_api_key_id, action, name, scopes, at) VALUES ($1, $2, $2, 'created', 'seeded', '{admin}', $3)`, [workspaceId, adminKeyId, at]);
      }
    });
    const everything = (await audit('?limit=200')).body.items;
    expect(everything.filter((entry) => entry.at === at)).toHaveLength(12);

    for (const limit of [1, 2, 3, 5, 7]) {
      const pages = await allPages('', limit);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
      expect(pages.flat().map((entry) => entry.id)).toEqual(everything.map((entry) => entry.id));
    }
    // the same with a filter passed on to every source
    const filtered = (await audit(`?limit=200&apiKeyId=${adminKeyId}`)).body.items;
    expect((await allPages(`?apiKeyId=${adminKeyId}`, 4)).flat().map((entry) => entry.id)).toEqual(filtered.map((entry) => entry.id));
  });

  it('refuses a bad filter or cursor naming it, asks for the admin scope, and shows only the caller’s workspace', async () => {
    const badKind = await audit('?kind=password_read');
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.details?.errors.map((e) => e.path)).toEqual(['kind']);
    const badCursor = await audit('?cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error).toMatchObject({ code: 'validation_failed', details: { errors: [{ path: 'cursor' }] } });
    expect((await audit('?from=yesterday')).body.error.details?.errors.map((e) => e.path)).toEqual(['from']);
    expect((await audit('?limit=201')).status).toBe(400);

    const reader = await gateway.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'no admin', scopes: ['connect', 'credentials:read', 'proxy'] } });
    expect((await audit('', reader.body.apiKey)).status).toBe(403);

    const other = await newWorkspace(system, 'elsewhere');
    const theirs = await other.gateway.call<AuditPage>('GET', '/v1/audit?limit=200');
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.map((entry) => entry.kind)).toEqual(['api_key_created']);
    expect(theirs.text).not.toContain(connectionId);
    expect(theirs.text).not.toContain(connectorId);
  });

  it('prunes entries older than the retention in bounded batches, and the gateway does it on its own schedule', async () => {
    const old = new Date(Date.now() - 400 * DAY_MS);
    await withDb(system, async (db) => {
      for (let i = 0; i < 7; i++) {
        await db.query(`INSERT INTO token_issuance.credential_reads (workspace_id, connection_id, api_key_id, include_refresh_token, credential_version, read_at) VALUES ($1, $2, $3, false, 1, $4)`, [workspaceId, connectionId, adminKeyId, old]);
      }
      await db.query(`INSERT INTO gateway.api_key_events (workspace_id, api_key_id, actor_api_key_id, action, name, scopes, at) VALUES ($1, $2, $2, 'revoked', 'ancient', '{admin}', $3)`, [workspaceId, adminKeyId, old]);
    });
    const countOld = (table: string, column: string) =>
      withDb(system, async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1 AND ${column} < now() - interval '300 days'`, [workspaceId])).rows[0]?.n);
    const countAll = (table: string) => withDb(system, async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1`, [workspaceId])).rows[0]?.n);

    const dataSource = system.app('token-issuance').get(DataSource);
    const pruner = new AuditPruner(dataSource, tokenIssuanceAuditTables(schemaOf(dataSource)), { retentionDays: 365, pruneIntervalMs: 60_000, pruneBatchSize: 2, pruneMaxBatches: 2 }, (error) => {
      throw error;
    });
    const recent = (await countAll('token_issuance.credential_reads')) as number;
    const table = `"${schemaOf(dataSource)}".credential_reads`;
    // one run deletes at most two batches of two; what is left goes on the next runs
    expect((await pruner.pruneOnce())[table]).toBe(4);
    expect(await countOld('token_issuance.credential_reads', 'read_at')).toBe(3);
    expect((await pruner.pruneOnce())[table]).toBe(3);
    expect((await pruner.pruneOnce())[table]).toBe(0);
    expect(await countAll('token_issuance.credential_reads')).toBe(recent - 7);

    await waitFor(async () => ((await countOld('gateway.api_key_events', 'at')) === 0 ? true : undefined), { timeoutMs: 15_000, description: "the gateway's periodic prune of an old key event" });
    const left = (await audit('?kind=api_key_revoked&limit=200')).body.items;
    expect(left.some((entry) => (entry.details as { name?: string }).name === 'ancient')).toBe(false);
    expect(left.length).toBeGreaterThan(0);
  });
});
