/**
 * Helpers shared by the hostile-input, secrets and fault tests: raw HTTP calls to the gateway, a
 * workspace with a connector and a connection, and a snapshot of every service schema's rows.
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { waitFor } from '../harness';
import type { RunningSystem } from '../support/system';

export const SERVICE_SCHEMAS = ['gateway', 'connector_config', 'oauth_authorization', 'token_issuance', 'token_refresh'] as const;

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
  elapsedMs: number;
}

export interface CallOptions {
  /** A JSON value, or a Buffer/string sent as it is. */
  body?: unknown;
  rawBody?: Buffer | string;
  headers?: Record<string, string>;
  /** An API key; null sends no Authorization header. */
  key?: string | null;
  timeoutMs?: number;
}

/** One HTTP call; never throws for an HTTP status. */
export async function call<T = unknown>(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization ??= `Bearer ${options.key}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const started = Date.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // pages stay text
  }
  return { status: response.status, headers: response.headers, text, body: parsed as T, elapsedMs: Date.now() - started };
}

export interface Workspace {
  workspaceId: string;
  apiKey: string;
  apiKeyId: string;
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
}

export async function newWorkspace(system: RunningSystem, name: string): Promise<Workspace> {
  return workspaceClient(system.urls.gateway, await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), name));
}

/** Calls to the gateway with a workspace's admin key. */
export function workspaceClient(gatewayUrl: string, admin: { workspaceId: string; apiKey: string; apiKeyId: string }): Workspace {
  return { ...admin, call: (method, path, options = {}) => call(gatewayUrl, method, path, { key: admin.apiKey, ...options }) };
}

/** Creates a connector through the gateway and activates it; returns its id. */
export async function activeConnector(workspace: Workspace, slug: string, config: Record<string, unknown>): Promise<string> {
  const created = await workspace.call<{ id: string }>('POST', '/v1/connectors', { body: { slug, name: slug, config } });
  if (created.status !== 201) throw new Error(`create connector: ${created.status} ${created.text}`);
  const activated = await workspace.call('POST', `/v1/connectors/${created.body.id}/activate`);
  if (activated.status !== 200) throw new Error(`activate connector: ${activated.status} ${activated.text}`);
  return created.body.id;
}

export interface Session {
  sessionId: string;
  sessionToken: string;
  connectionId: string;
  authorizationUrl?: string;
}

export async function openSession(workspace: Workspace, body: Record<string, unknown>): Promise<Session> {
  const answer = await workspace.call<Session>('POST', '/v1/connect-sessions', { body });
  if (answer.status !== 201) throw new Error(`open session: ${answer.status} ${answer.text}`);
  return answer.body;
}

export async function sessionStatus(workspace: Workspace, sessionId: string): Promise<{ status: string; connectionId: string; error: { code: string } | null }> {
  const answer = await workspace.call<{ status: string; connectionId: string; error: { code: string } | null }>('GET', `/v1/connect-sessions/${sessionId}`);
  if (answer.status !== 200) throw new Error(`session ${sessionId}: ${answer.status} ${answer.text}`);
  return answer.body;
}

export async function sessionReaches(workspace: Workspace, sessionId: string, status: string, timeoutMs = 30_000): Promise<{ status: string; connectionId: string; error: { code: string } | null }> {
  return waitFor(
    async () => {
      const view = await sessionStatus(workspace, sessionId);
      return view.status === status ? view : undefined;
    },
    { timeoutMs, intervalMs: 100, description: `session ${sessionId} to be ${status}` },
  );
}

/** An API_KEY connection made through the connect dialog's typed-credential route. */
export async function apiKeyConnection(system: RunningSystem, workspace: Workspace, connectorId: string, endUserId: string, apiKey: string): Promise<Session> {
  const session = await openSession(workspace, { connectorId, endUserId });
  const submitted = await call(system.urls.gateway, 'POST', '/v1/connect/credentials', { headers: { authorization: `Bearer ${session.sessionToken}` }, body: { apiKey } });
  if (submitted.status !== 202) throw new Error(`submit credentials: ${submitted.status} ${submitted.text}`);
  await sessionReaches(workspace, session.sessionId, 'completed');
  return session;
}

export async function withDb<T>(databaseUrl: string, use: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

/** Columns that change on a read by design (bookkeeping, not data). */
const VOLATILE_COLUMNS: Record<string, string[]> = { 'gateway.api_keys': ['last_used_at'] };

/** Tables that every request may write by design: the shared rate limit buckets, spent by refused requests too. */
const BOOKKEEPING_TABLES = ['gateway.rate_limit_buckets'];

export type Snapshot = Record<string, { rows: number; hash: string }>;

/** Row count and a hash of every row of every table in every service schema (but the bookkeeping tables). */
export async function snapshotDatabase(db: Client): Promise<Snapshot> {
  const tables = await db.query<{ schema: string; table: string }>(
    `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
      WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    [[...SERVICE_SCHEMAS]],
  );
  const parts = tables.rows.filter(({ schema, table }) => !BOOKKEEPING_TABLES.includes(`${schema}.${table}`)).map(({ schema, table }) => {
    const drop = (VOLATILE_COLUMNS[`${schema}.${table}`] ?? []).map((c) => ` - '${c}'`).join('');
    const row = `(to_jsonb(t)${drop})::text`;
    return `SELECT '${schema}.${table}' AS name, count(*)::int AS rows, coalesce(md5(string_agg(${row}, '|' ORDER BY ${row})), '') AS digest FROM "${schema}"."${table}" t`;
  });
  const snapshot: Snapshot = {};
  if (parts.length === 0) return snapshot;
  const result = await db.query<{ name: string; rows: number; digest: string }>(parts.join('\nUNION ALL\n'));
  for (const row of result.rows) snapshot[row.name] = { rows: row.rows, hash: row.digest };
  return snapshot;
}

/** The tables whose rows differ between two snapshots. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name]?.hash !== after[name]?.hash || before[name]?.rows !== after[name]?.rows);
}

/** Waits until two snapshots taken `quietMs` apart agree: the asynchronous work has settled. */
export async function settledSnapshot(db: Client, quietMs = 400, timeoutMs = 20_000): Promise<Snapshot> {
  let last = await snapshotDatabase(db);
  return waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      const next = await snapshotDatabase(db);
      const same = changedTables(last, next).length === 0;
      last = next;
      return same ? next : undefined;
    },
    { timeoutMs, intervalMs: 0, description: 'the database to settle' },
  );
}

/** A seeded PRNG (mulberry32), so that a failing fuzz case reproduces from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface OpenApiOperation {
  method: string;
  /** As documented, e.g. `/v1/connectors/{id}`. */
  path: string;
  operationId: string;
  secured: boolean;
  requestSchema?: Record<string, unknown>;
  /** A body the gateway passes on unread (the proxy's): not JSON, so none of the JSON body rules apply. */
  opaqueBody: boolean;
}

/** Every operation of the live OpenAPI document. */
export async function openApiOperations(gatewayUrl: string): Promise<{ operations: OpenApiOperation[]; document: OpenApiDocument }> {
  const answer = await call<OpenApiDocument>(gatewayUrl, 'GET', '/openapi.json');
  if (answer.status !== 200) throw new Error(`GET /openapi.json: ${answer.status}`);
  const document = answer.body;
  const operations: OpenApiOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        secured: (operation.security ?? document.security ?? []).length > 0,
        opaqueBody: operation.requestBody !== undefined && operation.requestBody.content?.['application/json'] === undefined,
        ...(schema ? { requestSchema: schema } : {}),
      });
    }
  }
  return { operations, document };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; security?: unknown[]; requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } }>>;
  security?: unknown[];
  components?: { schemas?: Record<string, Record<string, unknown>> };
}

/** The browser's part of an OAuth connect: consent at the provider, then the gateway's callback. */
export async function oauthConnect(
  workspace: Workspace,
  body: Record<string, unknown>,
  authorize: (url: string) => Promise<{ callbackUrl: URL }>,
): Promise<Session & { callbackUrl: URL; callbackStatus: number }> {
  const session = await openSession(workspace, body);
  const { callbackUrl } = await authorize(session.authorizationUrl as string);
  const callback = await fetch(callbackUrl, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  await callback.text();
  return { ...session, callbackUrl, callbackStatus: callback.status };
}

/** Every row of every table in every service schema, as text (what a pg_dump of the data holds). */
export async function dumpAllRows(db: Client): Promise<string> {
  const tables = await db.query<{ schema: string; table: string }>(
    `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
  );
  const parts: string[] = [];
  for (const { schema, table } of tables.rows) {
    const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table}" t`);
    parts.push(`-- ${schema}.${table}`, ...rows.rows.map((r) => r.row));
  }
  return parts.join('\n');
}
