/**
 * Hostile providers (issue 12, isolation): a connector's token endpoint that streams an answer for
 * ever. The whole system runs (five services, real Kafka and PostgreSQL, an oidc-provider sandbox
 * for consent); the connector's token URL points at a relay in this process that forwards to the
 * sandbox's token endpoint or, when told, answers 200 and then streams without end. Against it the
 * broker reads at most 64 KiB (`MAX_RESPONSE_BYTES`), closes the connection and names the failure
 * `response_too_large`, long before the token request timeout; docs/SECURITY.md points here.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, newWorkspace, openSession, sessionReaches, Workspace } from './hostile-support';

/** Far above what a capped answer takes: a failure near it means the broker read until the deadline. */
const TOKEN_REQUEST_TIMEOUT_MS = 20_000;
const WELL_BEFORE_THE_TIMEOUT_MS = TOKEN_REQUEST_TIMEOUT_MS / 4;
/** Socket buffers besides the 64 KiB; without the limit the stream runs the whole timeout (about 64 MB). */
const BOUND_BYTES = 16 * 1024 * 1024;

interface Stream {
  readonly startedAt: number;
  written: number;
  closedAt?: number;
}

/**
 * A token endpoint in front of the sandbox's: `relay` forwards each request and its answer;
 * `stream` answers 200 with a JSON start and then 16 KiB every 5 ms (about 3 MB/s, so that a broker
 * without the limit fills its memory slowly) until the connection closes.
 */
class HostileTokenEndpoint {
  mode: 'relay' | 'stream' = 'relay';
  readonly streams: Stream[] = [];
  private readonly server: Server;

  constructor(private readonly upstreamTokenUrl: string) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.mode === 'stream') this.streamForever(response);
        else this.relay(request.headers, Buffer.concat(chunks), response).catch(() => response.destroy());
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private streamForever(response: ServerResponse): void {
    const stream: Stream = { startedAt: Date.now(), written: 0 };
    this.streams.push(stream);
    response.socket?.once('close', () => (stream.closedAt = Date.now()));
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.write('{"access_token":"');
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const next = (): void => {
      if (response.destroyed) return;
      stream.written += chunk.length;
      if (response.write(chunk)) setTimeout(next, 5);
      else response.once('drain', next);
    };
    next();
  }

  private async relay(headers: Record<string, string | string[] | undefined>, body: Buffer, response: ServerResponse): Promise<void> {
    const forwarded: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'accept']) {
      const value = headers[name];
      if (typeof value === 'string') forwarded[name] = value;
    }
    const answer = await fetch(this.upstreamTokenUrl, { method: 'POST', headers: forwarded, body, signal: AbortSignal.timeout(10_000) });
    const text = await answer.text();
    response.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  }
}

describe('hostile providers: a token endpoint that streams for ever', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let hostile: HostileTokenEndpoint;
  let tenant: Workspace;
  let bystander: Workspace;
  let honestConfig: Record<string, unknown>;

  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { 'token-issuance': { TOKEN_REQUEST_TIMEOUT_MS: String(TOKEN_REQUEST_TIMEOUT_MS) } } });
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'hostile-client', client_secret: 'hostile-client-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    hostile = new HostileTokenEndpoint(sandbox.urls.token);
    await hostile.start();
    [tenant, bystander] = await Promise.all([newWorkspace(system, 'Streaming Provider Co'), newWorkspace(system, 'Bystander Co')]);
    honestConfig = {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'hostile-client',
      clientSecret: 'hostile-client-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    };
  }, 120_000);

  afterAll(async () => {
    await hostile?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  /** Consent at the sandbox; returns the session and its callback, not yet followed. */
  const consented = async (workspace: Workspace, connectorId: string, endUserId: string) => {
    const session = await openSession(workspace, { connectorId, endUserId });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    return { session, callbackUrl };
  };
  const follow = async (callbackUrl: URL): Promise<number> => {
    const answer = await fetch(callbackUrl, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    await answer.text();
    return answer.status;
  };
  const closedStreams = (): Stream[] => hostile.streams.filter((stream) => stream.closedAt !== undefined);

  it('the connect fails with response_too_large well before the token request timeout, the connection is closed, and another connector is served meanwhile', async () => {
    hostile.mode = 'stream';
    const streaming = await activeConnector(tenant, 'streams-for-ever', { ...honestConfig, tokenUrl: hostile.url });
    const honest = await activeConnector(bystander, 'honest', honestConfig);
    const attack = await consented(tenant, streaming, 'victim');
    const beside = await consented(bystander, honest, 'bystander');
    const streamsBefore = hostile.streams.length;

    const started = Date.now();
    expect(await Promise.all([follow(attack.callbackUrl), follow(beside.callbackUrl)])).toEqual([200, 200]);
    const [failed, completed] = await Promise.all([
      sessionReaches(tenant, attack.session.sessionId, 'failed', TOKEN_REQUEST_TIMEOUT_MS * 2),
      sessionReaches(bystander, beside.session.sessionId, 'completed', TOKEN_REQUEST_TIMEOUT_MS * 2),
    ]);
    const failedAfterMs = Date.now() - started;

    expect(failed.error?.code).toBe('response_too_large');
    expect(completed.error).toBeNull();
    expect(failedAfterMs).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    // the broker hung up: the stream stopped, bounded, soon after it began
    const [stream] = await waitFor(() => (closedStreams().length > streamsBefore ? closedStreams().slice(streamsBefore) : undefined), {
      timeoutMs: TOKEN_REQUEST_TIMEOUT_MS * 2,
      description: 'token-issuance to close the streaming connection',
    });
    expect(hostile.streams.length - streamsBefore).toBe(1);
    expect((stream?.closedAt ?? Infinity) - (stream?.startedAt ?? 0)).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    expect(stream?.written).toBeLessThan(BOUND_BYTES);

    // and the service goes on serving connects afterwards
    const after = await consented(bystander, honest, 'bystander-after');
    expect(await follow(after.callbackUrl)).toBe(200);
    expect((await sessionReaches(bystander, after.session.sessionId, 'completed')).error).toBeNull();
  });

  it('a refresh against it leaves the connection active and marks the connector failing; the next refresh succeeds', async () => {
    hostile.mode = 'relay';
    const connectorId = await activeConnector(tenant, 'turns-hostile', { ...honestConfig, tokenUrl: hostile.url });
    const { session, callbackUrl } = await consented(tenant, connectorId, 'refreshing-user');
    expect(await follow(callbackUrl)).toBe(200);
    const { connectionId } = await sessionReaches(tenant, session.sessionId, 'completed');
    const reportUnauthorized = () => tenant.call<{ error?: { code: string; details?: { providerError?: string } } }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: {} });
    const view = async () =>
      (await tenant.call<{ status: string; refresh: { state: string; lastErrorCode: string | null }; connector: { health: { state: string; lastErrorCode: string | null } } }>('GET', `/v1/connections/${connectionId}`)).body;

    hostile.mode = 'stream';
    const streamsBefore = hostile.streams.length;
    const refused = await reportUnauthorized();
    expect({ status: refused.status, providerError: refused.body.error?.details?.providerError }).toEqual({ status: 503, providerError: 'response_too_large' });
    expect(refused.elapsedMs).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    expect(await view()).toMatchObject({
      status: 'active',
      refresh: { state: 'failing', lastErrorCode: 'response_too_large' },
      connector: { health: { state: 'failing', lastErrorCode: 'response_too_large' } },
    });
    await waitFor(() => closedStreams().length > streamsBefore, { timeoutMs: WELL_BEFORE_THE_TIMEOUT_MS, description: 'token-issuance to close the streaming connection' });

    hostile.mode = 'relay';
    expect((await reportUnauthorized()).status).toBe(200);
    expect(await view()).toMatchObject({ status: 'active', refresh: { state: 'ok' }, connector: { health: { state: 'ok' } } });
  });
});
