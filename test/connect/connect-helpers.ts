/** Helpers shared by the connect-flow integration tests: gateway calls, connectors, sessions. */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { waitFor } from '../harness';
import type { RunningSystem } from '../support/system';

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** Every response body the tests saw, for the canary check. */
export const seenResponses: Array<{ route: string; text: string }> = [];

export class Gateway {
  constructor(
    readonly base: string,
    readonly apiKey: string,
  ) {}

  async call<T = any>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; key?: string | null } = {}): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? this.apiKey : options.key;
    if (key !== null && !headers.authorization) headers.authorization = `Bearer ${key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    seenResponses.push({ route: `${method} ${path.split('?')[0]}`, text });
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // HTML pages stay text
    }
    return { status: response.status, headers: response.headers, text, body: body as T };
  }
}

export async function newWorkspace(system: RunningSystem, name: string): Promise<{ workspaceId: string; apiKey: string; apiKeyId: string; gateway: Gateway }> {
  const admin = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), name);
  return { ...admin, gateway: new Gateway(system.urls.gateway, admin.apiKey) };
}

/** Creates a connector through the gateway and activates it. */
export async function activeConnector(gateway: Gateway, slug: string, config: Record<string, unknown>): Promise<string> {
  const created = await gateway.call<{ id: string }>('POST', '/v1/connectors', { body: { slug, name: slug, config } });
  if (created.status !== 201) throw new Error(`create connector: ${created.status} ${created.text}`);
  const activated = await gateway.call('POST', `/v1/connectors/${created.body.id}/activate`);
  if (activated.status !== 200) throw new Error(`activate connector: ${activated.status} ${activated.text}`);
  return created.body.id;
}

export interface OpenedSession {
  sessionId: string;
  sessionToken: string;
  expiresAt: string;
  connectionId: string;
  mode: string;
  authorizationUrl?: string;
  missingAttributes?: string[];
}

export async function openSession(gateway: Gateway, body: Record<string, unknown>): Promise<OpenedSession> {
  const answer = await gateway.call<OpenedSession>('POST', '/v1/connect-sessions', { body });
  if (answer.status !== 201) throw new Error(`open session: ${answer.status} ${answer.text}`);
  return answer.body;
}

export interface SessionView {
  sessionId: string;
  status: 'pending' | 'completed' | 'failed' | 'expired';
  connectionId: string;
  error: { code: string; reason: string } | null;
}

export async function sessionReaches(gateway: Gateway, sessionId: string, status: SessionView['status']): Promise<SessionView> {
  return waitFor(
    async () => {
      const answer = await gateway.call<SessionView>('GET', `/v1/connect-sessions/${sessionId}`);
      return answer.body.status === status ? answer.body : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, description: `session ${sessionId} to be ${status}` },
  );
}

export async function withDb<T>(system: RunningSystem, use: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: system.databaseUrl });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}
