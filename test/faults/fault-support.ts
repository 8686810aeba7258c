/**
 * A connect-flow driver for the fault tests: it behaves like a patient client (retries what a
 * network error or a 5xx interrupted, never a 4xx) and classifies every flow as completed, failed
 * with a reason, or lost. Gateway calls go over HTTP only, so the services can run anywhere.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '@cb/platform';
import { ENTITIES } from '../../apps/gateway/src/gateway.module';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { authorizeOverHttp } from '../support/sandbox-provider';

export interface FlowCounts {
  started: number;
  completed: number;
  failed: Record<string, number>;
  lost: number;
  duplicated: number;
}

export function emptyCounts(): FlowCounts {
  return { started: 0, completed: 0, failed: {}, lost: 0, duplicated: 0 };
}

export function formatCounts(name: string, counts: FlowCounts, extra: Record<string, unknown> = {}): string {
  const failed = Object.values(counts.failed).reduce((a, b) => a + b, 0);
  return `${name}: flows started ${counts.started}, completed ${counts.completed}, failed ${failed} ${JSON.stringify(counts.failed)}, lost ${counts.lost}, duplicated ${counts.duplicated}${
    Object.keys(extra).length ? `, ${Object.entries(extra).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}` : ''
  }\n`;
}

/** A workspace and its admin key, written through the gateway's own entities, as the gateway's command line does (give it the gateway's URL). */
export async function createWorkspace(databaseUrl: string, name: string): Promise<{ workspaceId: string; apiKey: string; apiKeyId: string }> {
  const dataSource = await new DataSource(serviceDataSourceOptions({ url: databaseUrl, schema: 'gateway', applicationName: 'fault-test', entities: ENTITIES, migrations: [], poolSize: 1 })).initialize();
  try {
    return await createWorkspaceWithAdminKey(dataSource, name);
  } finally {
    await dataSource.destroy();
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * An HTTP call retried while the other side is away (network errors, 502, 503, 504), with a short
 * capped backoff, until `deadline`. Any other answer is returned.
 */
export async function patientCall<T = unknown>(url: string, init: RequestInit & { deadline: number }): Promise<Answer<T>> {
  let wait = 100;
  for (;;) {
    try {
      const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
      const text = await response.text();
      if (![502, 503, 504].includes(response.status) || Date.now() > init.deadline) {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // a page
        }
        return { status: response.status, body: body as T, headers: response.headers };
      }
    } catch (error) {
      if (Date.now() > init.deadline) throw error;
    }
    await pause(wait);
    wait = Math.min(wait * 2, 1000);
  }
}

export interface Driver {
  base: string;
  apiKey: string;
}

const json = (driver: Driver, body?: unknown): RequestInit => ({
  headers: { authorization: `Bearer ${driver.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** Creates and activates a connector through the gateway, patiently (the services may be starting). */
export async function createActiveConnector(driver: Driver, slug: string, config: Record<string, unknown>): Promise<string> {
  const deadline = Date.now() + 30_000;
  const created = await patientCall<{ id: string }>(`${driver.base}/v1/connectors`, { method: 'POST', ...json(driver, { slug, name: slug, config }), deadline });
  if (created.status !== 201) throw new Error(`connector ${slug}: ${created.status} ${JSON.stringify(created.body)}`);
  await patientCall(`${driver.base}/v1/connectors/${created.body.id}/activate`, { method: 'POST', ...json(driver), deadline });
  return created.body.id;
}

export interface FlowResult {
  kind: 'oauth' | 'typed';
  sessionId?: string;
  connectionId?: string;
  outcome: 'completed' | 'failed' | 'lost';
  reason?: string;
}

/**
 * One connect flow, OAuth (consent at the sandbox, then the callback) or typed (an API key), then
 * waiting for the session's end. `flowDeadlineMs` bounds the whole flow; a session still open then is lost.
 */
export async function runFlow(driver: Driver, kind: 'oauth' | 'typed', connectorId: string, endUserId: string, flowDeadlineMs: number): Promise<FlowResult> {
  const deadline = Date.now() + flowDeadlineMs;
  // One key for every retry of this opening: a retry whose first attempt was committed gets that session back.
  const idempotencyKey = `flow-${endUserId}-${randomUUID()}`;
  const request = json(driver, { connectorId, endUserId });
  const opened = await patientCall<{ sessionId: string; sessionToken: string; connectionId: string; authorizationUrl?: string }>(`${driver.base}/v1/connect-sessions`, {
    method: 'POST',
    ...request,
    headers: { ...(request.headers as Record<string, string>), 'idempotency-key': idempotencyKey },
    deadline,
  }).catch((error: Error) => ({ status: 0, body: { error: error.message } }) as unknown as Answer<{ sessionId: string; sessionToken: string; connectionId: string; authorizationUrl?: string }>);
  if (opened.status !== 201) return { kind, outcome: 'failed', reason: `open_session_${opened.status}` };
  const session = opened.body;
  try {
    if (kind === 'oauth') {
      const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
      const answer = await patientCall(callbackUrl.toString(), { method: 'GET', deadline });
      // 400 invalid_state after a retried callback means the first attempt went through
      if (answer.status !== 200 && answer.status !== 400) return { kind, sessionId: session.sessionId, outcome: 'failed', reason: `callback_${answer.status}` };
    } else {
      const submitted = await patientCall(`${driver.base}/v1/connect/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.sessionToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey: `key-${endUserId}` }),
        deadline,
      });
      // 409 after a retried submission means the first attempt went through
      if (submitted.status !== 202 && submitted.status !== 409) return { kind, sessionId: session.sessionId, outcome: 'failed', reason: `credentials_${submitted.status}` };
    }
  } catch (error) {
    return { kind, sessionId: session.sessionId, outcome: 'failed', reason: `client_${(error as Error).name}` };
  }
  for (;;) {
    const view = await patientCall<{ status: string; connectionId: string; error: { code: string } | null }>(`${driver.base}/v1/connect-sessions/${session.sessionId}`, {
      method: 'GET',
      ...json(driver),
      deadline,
    }).catch(() => undefined);
    const status = view?.status === 200 ? view.body.status : undefined;
    if (status === 'completed') return { kind, sessionId: session.sessionId, connectionId: view?.body.connectionId, outcome: 'completed' };
    if (status === 'failed' || status === 'expired') return { kind, sessionId: session.sessionId, outcome: 'failed', reason: view?.body.error?.code ?? status };
    if (Date.now() > deadline) return { kind, sessionId: session.sessionId, connectionId: session.connectionId, outcome: 'lost', reason: status ?? 'unreachable' };
    await pause(250);
  }
}

/** Runs `work` on `concurrency` workers until `more()` says stop; resolves with every result. */
export async function pool<T>(concurrency: number, more: (index: number) => boolean, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more(next)) {
        const index = next++;
        results.push(await work(index));
      }
    }),
  );
  return results;
}

export function tally(results: FlowResult[]): FlowCounts {
  const counts = emptyCounts();
  for (const result of results) {
    counts.started += 1;
    if (result.outcome === 'completed') counts.completed += 1;
    else if (result.outcome === 'lost') counts.lost += 1;
    else counts.failed[result.reason ?? 'unknown'] = (counts.failed[result.reason ?? 'unknown'] ?? 0) + 1;
  }
  return counts;
}
