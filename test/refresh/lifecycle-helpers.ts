/** Helpers for the token lifecycle tests: gateway and internal calls, connect over the sandbox. */
import { DataSource } from 'typeorm';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { authorizeOverHttp } from '../support/sandbox-provider';
import type { RunningSystem } from '../support/system';

export interface Answer<T> {
  status: number;
  body: T;
  text: string;
}

async function call<T>(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    redirect: 'manual',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed as T, text };
}

export interface CredentialBody {
  connectionId: string;
  credentialVersion: number;
  credential: { type: string; accessToken?: string; refreshToken?: string; expiresAt: string | null; fields?: Record<string, unknown> };
}

export class Broker {
  constructor(
    private readonly system: RunningSystem,
    readonly workspaceId: string,
    private readonly apiKey: string,
  ) {}

  static async create(system: RunningSystem, name: string): Promise<Broker> {
    const admin = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), name);
    return new Broker(system, admin.workspaceId, admin.apiKey);
  }

  gateway<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    return call<T>(`${this.system.urls.gateway}${path}`, method, { authorization: `Bearer ${this.apiKey}`, ...headers }, body);
  }

  /** token-issuance's internal API, on the given base URL (another instance) or the system's. */
  internal<T = unknown>(method: string, path: string, body?: unknown, base = this.system.urls['token-issuance']): Promise<Answer<T>> {
    return call<T>(`${base}/internal/v1/workspaces/${this.workspaceId}${path}`, method, { 'x-internal-token': this.system.internalToken, 'x-api-key-id': 'refresh-test' }, body);
  }

  readCredential(connectionId: string, base?: string): Promise<Answer<CredentialBody>> {
    return this.internal<CredentialBody>('POST', `/connections/${connectionId}/credential`, {}, base);
  }

  async connector(slug: string, config: Record<string, unknown>): Promise<string> {
    const created = await this.gateway<{ id: string }>('POST', '/v1/connectors', { slug, name: slug, config });
    if (created.status !== 201) throw new Error(`create connector: ${created.status} ${created.text}`);
    const activated = await this.gateway('POST', `/v1/connectors/${created.body.id}/activate`);
    if (activated.status !== 200) throw new Error(`activate connector: ${activated.status} ${activated.text}`);
    return created.body.id;
  }

  async openSession(body: Record<string, unknown>): Promise<{ sessionId: string; sessionToken: string; connectionId: string; authorizationUrl?: string }> {
    const answer = await this.gateway<{ sessionId: string; sessionToken: string; connectionId: string; authorizationUrl?: string }>('POST', '/v1/connect-sessions', body);
    if (answer.status !== 201) throw new Error(`open session: ${answer.status} ${answer.text}`);
    return answer.body;
  }

  /** Connects (or reconnects, with `connectionId`) an end user at the sandbox; resolves with the connection id. */
  async connectOAuth(connectorId: string, username: string, connectionId?: string): Promise<string> {
    const session = await this.openSession({ connectorId, endUserId: username, ...(connectionId ? { connectionId } : {}) });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string, { username });
    const callback = await fetch(callbackUrl, { redirect: 'manual' });
    await callback.text();
    if (callback.status !== 200) throw new Error(`callback answered ${callback.status}`);
    return session.connectionId;
  }

  async submitCredentials(connectorId: string, endUserId: string, body: Record<string, unknown>): Promise<string> {
    const session = await this.openSession({ connectorId, endUserId });
    const answer = await call(`${this.system.urls.gateway}/v1/connect/credentials`, 'POST', { 'x-connect-session': session.sessionToken }, body);
    if (answer.status !== 202) throw new Error(`submit credentials: ${answer.status} ${answer.text}`);
    return session.connectionId;
  }
}

/** True when the sandbox accepts the access token at its userinfo endpoint. */
export async function acceptedByProvider(userinfoUrl: string, accessToken: string): Promise<boolean> {
  const response = await fetch(userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
  await response.text();
  return response.status === 200;
}
