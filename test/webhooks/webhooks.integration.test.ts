/**
 * Webhooks on the real stack: endpoints registered through the gateway, the broker's events turned
 * into deliveries signed the Standard Webhooks way (checked with `standardwebhooks`' Webhook.verify,
 * as a customer does), retries with the same webhook-id and every attempt listed, replay by hand,
 * per-connection order, failing endpoints disabled, secret rotation with a grace period, one
 * workspace's dead endpoint delaying nobody else's deliveries, and the secret in no log or answer
 * but the two that show it.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ServiceMetrics } from '@cb/platform';
import { CredentialBrokerClient, CredentialBrokerError } from '@cb/sdk';
import { waitFor } from '../harness';
import { activeConnector, Gateway, newWorkspace, openSession, seenResponses, sessionReaches, withDb } from '../connect/connect-helpers';
import { RunningSystem, startSystem } from '../support/system';
import { bodyOf, verifies, WebhookReceiver, type ReceivedDelivery } from './webhook-receiver';

interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  status: string;
  failedDeliveriesInARow: number;
  previousSecretExpiresAt: string | null;
  secret?: string;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
}

interface Attempt {
  attempt: number;
  outcome: string;
  statusCode: number | null;
  durationMs: number | null;
  responseSnippet: string | null;
}

// long enough that the isolation test's hanging attempts still hold their slots when the other workspace's delivery arrives, on a loaded machine too
const ATTEMPT_TIMEOUT_MS = 15_000;

describe('webhooks', () => {
  let system: RunningSystem;
  let receiver: WebhookReceiver;
  let gateway: Gateway;
  let workspaceId: string;
  const secretsShown: string[] = [];
  /** Secrets the SDK was shown (its answers are not in seenResponses). */
  const secretsShownToSdk: string[] = [];

  const createEndpoint = async (on: Gateway, path: string, eventTypes: string[]): Promise<Endpoint & { secret: string }> => {
    const answer = await on.call<Endpoint & { secret: string }>('POST', '/v1/webhook-endpoints', { body: { url: receiver.url(path), eventTypes, description: `receiver ${path}` } });
    expect(answer.status).toBe(201);
    secretsShown.push(answer.body.secret);
    return answer.body;
  };

  const deliveries = async (on: Gateway, endpointId: string): Promise<Delivery[]> => {
    const answer = await on.call<{ items: Delivery[] }>('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
    expect(answer.status).toBe(200);
    return answer.body.items;
  };

  const attempts = async (endpointId: string, deliveryId: string): Promise<Attempt[]> => {
    const answer = await gateway.call<{ items: Attempt[] }>('GET', `/v1/webhook-endpoints/${endpointId}/deliveries/${deliveryId}/attempts`);
    expect(answer.status).toBe(200);
    return answer.body.items;
  };

  const typedConnection = async (connectorId: string, endUserId: string): Promise<string> => {
    const session = await openSession(gateway, { connectorId, endUserId });
    const submitted = await gateway.call('POST', '/v1/connect/credentials', { key: null, body: { token: `token-${endUserId}` }, headers: { 'x-connect-session': session.sessionToken } });
    expect(submitted.status).toBe(202);
    await sessionReaches(gateway, session.sessionId, 'completed');
    return session.connectionId;
  };

  const arrived = (path: string, predicate: (d: ReceivedDelivery) => boolean, description: string, timeoutMs = 30_000): Promise<ReceivedDelivery> =>
    waitFor(() => receiver.at(path).find(predicate), { timeoutMs, intervalMs: 50, description });

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    system = await startSystem({
      serviceEnv: {
        'connector-config': {
          WEBHOOK_RETRY_SCHEDULE: '300ms,300ms',
          WEBHOOK_POLL_INTERVAL_MS: '100',
          WEBHOOK_ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
          WEBHOOK_CONCURRENCY: '6',
          WEBHOOK_CONCURRENCY_PER_ENDPOINT: '2',
          WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES: '2',
          WEBHOOK_PRUNE_INTERVAL_MS: '200',
        },
      },
    });
    ({ gateway, workspaceId } = await newWorkspace(system, 'Webhooks Co'));
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await receiver?.stop();
  });

  describe('endpoints', () => {
    it('are created with a signing secret shown once, and read, listed and changed without it', async () => {
      const created = await createEndpoint(gateway, '/ok', ['connector.activated']);
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(created).toMatchObject({ enabled: true, status: 'active', eventTypes: ['connector.activated'], description: 'receiver /ok' });

      const read = await gateway.call('GET', `/v1/webhook-endpoints/${created.id}`);
      const listed = await gateway.call<{ items: Endpoint[] }>('GET', '/v1/webhook-endpoints');
      const changed = await gateway.call<Endpoint>('PATCH', `/v1/webhook-endpoints/${created.id}`, { body: { enabled: false, description: 'paused' } });
      for (const answer of [read, listed, changed]) {
        expect(answer.status).toBe(200);
        expect(answer.text).not.toContain(created.secret);
        expect(answer.text).not.toContain('whsec_');
      }
      expect(listed.body.items.map((e) => e.id)).toContain(created.id);
      expect(changed.body).toMatchObject({ enabled: false, status: 'disabled' });
      expect((await gateway.call('DELETE', `/v1/webhook-endpoints/${created.id}`)).status).toBe(204);
      expect((await gateway.call('GET', `/v1/webhook-endpoints/${created.id}`)).status).toBe(404);
    });

    it('refuses a URL that is not https (outside loopback), unknown event types and unknown members, naming each', async () => {
      const answer = await gateway.call<{ error: { code: string; details: { errors: Array<{ path: string }> } } }>('POST', '/v1/webhook-endpoints', {
        body: { url: 'http://hooks.example.com/in', eventTypes: ['connection.created', 'connection.exploded'], secret: 'mine' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      expect(answer.body.error.details.errors.map((e) => e.path).sort()).toEqual(expect.arrayContaining(['eventTypes', 'secret']));
      const badUrl = await gateway.call<{ error: { code: string; details: { errors: Array<{ path: string; message: string }> } } }>('POST', '/v1/webhook-endpoints', {
        body: { url: 'http://hooks.example.com/in', eventTypes: ['connection.created'] },
      });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error.details.errors).toEqual([{ path: 'url', message: 'url must use https (http is accepted only for localhost, 127.0.0.1 and [::1])' }]);
    });

    it("are the workspace's own: another workspace's endpoint is not found, and a key without the admin scope may not manage them", async () => {
      const mine = await createEndpoint(gateway, '/ok', ['connector.deactivated']);
      const other = await newWorkspace(system, 'Other Co');
      expect((await other.gateway.call('GET', `/v1/webhook-endpoints/${mine.id}`)).status).toBe(404);
      expect((await other.gateway.call('POST', `/v1/webhook-endpoints/${mine.id}/rotate-secret`, { body: {} })).status).toBe(404);
      const key = await gateway.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'reader', scopes: ['credentials:read'] } });
      const reader = new Gateway(system.urls.gateway, key.body.apiKey);
      expect((await reader.call('GET', '/v1/webhook-endpoints')).status).toBe(403);
      await gateway.call('DELETE', `/v1/webhook-endpoints/${mine.id}`);
    });
  });

  it('delivers the events signed with standardwebhooks: Webhook.verify accepts them, payload and CloudEvents attributes as on Kafka, no secret', async () => {
    const endpoint = await createEndpoint(gateway, '/ok', ['connector.activated', 'connection.created', 'connection.deleted']);
    const connectorId = await activeConnector(gateway, 'signed-bearer', { mode: 'BEARER' });
    const activated = await arrived('/ok', (d) => bodyOf(d).type === 'connector.activated' && bodyOf(d).data.connectorId === connectorId, 'connector.activated');
    expect(verifies(endpoint.secret, activated)).toBe(true);
    expect(verifies('whsec_' + Buffer.alloc(24, 1).toString('base64'), activated)).toBe(false);
    const tampered = { ...activated, body: activated.body.replace(connectorId, '00000000-0000-4000-8000-000000000000') };
    expect(verifies(endpoint.secret, tampered)).toBe(false);

    const body = bodyOf(activated);
    expect(body.data).toMatchObject({ connectorId, workspaceId, slug: 'signed-bearer', mode: 'BEARER', version: 1 });
    expect(body.data).not.toHaveProperty('sealedSecrets');
    expect(body.cloudevents).toMatchObject({ specversion: '1.0', type: 'dev.credential-broker.connector.activated.v1', source: '/credential-broker/connector-config' });
    expect(body.timestamp).toBe(body.cloudevents.time);
    expect(activated.headers['content-type']).toBe('application/json');

    const connectionId = await typedConnection(connectorId, 'signed-user');
    expect((await gateway.call('DELETE', `/v1/connections/${connectionId}`)).status).toBe(200);
    const created = await arrived('/ok', (d) => bodyOf(d).type === 'connection.created' && bodyOf(d).data.connectionId === connectionId, 'connection.created');
    const deleted = await arrived('/ok', (d) => bodyOf(d).type === 'connection.deleted' && bodyOf(d).data.connectionId === connectionId, 'connection.deleted');
    for (const delivery of [created, deleted]) expect(verifies(endpoint.secret, delivery)).toBe(true);
    expect(bodyOf(created).data).toMatchObject({ connectionId, workspaceId, connectorId, endUserId: 'signed-user', reason: 'connect', mode: 'BEARER' });
    expect(created.body).not.toContain('token-signed-user');
    expect(receiver.received.indexOf(created)).toBeLessThan(receiver.received.indexOf(deleted));

    // each event once per endpoint: the delivery ids are the webhook-ids
    const listed = await deliveries(gateway, endpoint.id);
    expect(listed.map((d) => d.id).sort()).toEqual(expect.arrayContaining([activated.webhookId, created.webhookId, deleted.webhookId].sort()));
    expect(listed.find((d) => d.id === created.webhookId)).toMatchObject({ status: 'succeeded', attempts: 1, eventType: 'connection.created', eventId: bodyOf(created).cloudevents.id });
    await gateway.call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  });

  it('retries a delivery the endpoint answered 500 with the same webhook-id, lists both attempts, and keeps one connection in order', async () => {
    const endpoint = await createEndpoint(gateway, '/flaky', ['connection.created', 'connection.deleted']);
    const connectorId = await activeConnector(gateway, 'flaky-bearer', { mode: 'BEARER' });
    const connectionId = await typedConnection(connectorId, 'flaky-user');
    expect((await gateway.call('DELETE', `/v1/connections/${connectionId}`)).status).toBe(200);

    const ofConnection = (type: string): ReceivedDelivery[] => receiver.ofType('/flaky', type).filter((d) => bodyOf(d).data.connectionId === connectionId);
    await waitFor(() => ofConnection('connection.deleted').some((d) => d.answered === 200), { timeoutMs: 30_000, description: 'connection.deleted accepted' });
    const created = ofConnection('connection.created');
    const deleted = ofConnection('connection.deleted');
    expect(created.map((d) => d.answered)).toEqual([500, 200]);
    expect(new Set(created.map((d) => d.webhookId)).size).toBe(1);
    for (const attempt of created) expect(verifies(endpoint.secret, attempt)).toBe(true);
    // the deletion of that connection is not sent before its creation was accepted
    const createdAccepted = created[1] as ReceivedDelivery;
    expect(Math.min(...deleted.map((d) => receiver.received.indexOf(d)))).toBeGreaterThan(receiver.received.indexOf(createdAccepted));

    const listed = await attempts(endpoint.id, createdAccepted.webhookId);
    expect(listed.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, 'http_error', 500],
      [2, 'succeeded', 200],
    ]);
    expect(listed[0]?.responseSnippet?.startsWith('broken xxx')).toBe(true);
    expect(listed[0]?.responseSnippet?.length).toBeLessThanOrEqual(500);
    expect(listed[1]?.responseSnippet).toBe('thanks');
    for (const attempt of listed) expect(attempt.durationMs).toEqual(expect.any(Number));
    const metrics = await system.app('connector-config').get(ServiceMetrics).registry.metrics();
    expect(metrics).toMatch(/credential_broker_webhook_attempts_total\{outcome="http_error",next="retrying",service="connector-config"\} [1-9]/);
    expect(metrics).toMatch(/credential_broker_webhook_attempt_duration_seconds_count\{service="connector-config",outcome="succeeded"\} [1-9]/);
    await gateway.call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  });

  it('replays a delivery by hand with the same webhook-id', async () => {
    const endpoint = await createEndpoint(gateway, '/ok', ['connector.deactivated']);
    const connectorId = await activeConnector(gateway, 'replayed', { mode: 'BEARER' });
    expect((await gateway.call('POST', `/v1/connectors/${connectorId}/deactivate`)).status).toBe(200);
    const first = await arrived('/ok', (d) => bodyOf(d).type === 'connector.deactivated' && bodyOf(d).data.connectorId === connectorId, 'connector.deactivated');
    await waitFor(async () => (await deliveries(gateway, endpoint.id)).find((d) => d.id === first.webhookId && d.status === 'succeeded'), { description: 'delivery recorded as succeeded' });

    const replayed = await gateway.call<Delivery>('POST', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${first.webhookId}/replay`);
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ id: first.webhookId, status: 'pending' });
    await waitFor(() => receiver.at('/ok').filter((d) => d.webhookId === first.webhookId).length === 2, { description: 'the replay received' });
    const again = receiver.at('/ok').filter((d) => d.webhookId === first.webhookId)[1] as ReceivedDelivery;
    expect(again.body).toBe(first.body);
    expect(verifies(endpoint.secret, again)).toBe(true);
    expect((await attempts(endpoint.id, first.webhookId)).map((a) => a.outcome)).toEqual(['succeeded', 'succeeded']);
    expect((await gateway.call('POST', `/v1/webhook-endpoints/${endpoint.id}/deliveries/00000000-0000-4000-8000-000000000000/replay`)).status).toBe(404);
    await gateway.call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  });

  it('marks a delivery failed when the schedule is used up, and disables an endpoint whose deliveries keep failing', async () => {
    const endpoint = await createEndpoint(gateway, '/down', ['connector.activated']);
    const first = await activeConnector(gateway, 'down-1', { mode: 'BEARER' });
    const second = await activeConnector(gateway, 'down-2', { mode: 'BEARER' });
    const failing = await waitFor(
      async () => {
        const answer = await gateway.call<Endpoint>('GET', `/v1/webhook-endpoints/${endpoint.id}`);
        return answer.body.status === 'failing' ? answer.body : undefined;
      },
      { timeoutMs: 30_000, description: 'the endpoint disabled as failing' },
    );
    expect(failing).toMatchObject({ enabled: false, failedDeliveriesInARow: 2 });
    const listed = await deliveries(gateway, endpoint.id);
    expect(listed.map((d) => [d.status, d.attempts])).toEqual([
      ['failed', 3],
      ['failed', 3],
    ]);
    for (const connectorId of [first, second]) expect(receiver.ofType('/down', 'connector.activated').filter((d) => bodyOf(d).data.connectorId === connectorId)).toHaveLength(3);

    // disabled, it gets nothing new (a witness endpoint of the workspace shows the event was handled); enabled again, its count starts over
    const witness = await createEndpoint(gateway, '/ok', ['connector.activated']);
    const third = await activeConnector(gateway, 'down-3', { mode: 'BEARER' });
    await arrived('/ok', (d) => bodyOf(d).data.connectorId === third, 'the witness delivery');
    await gateway.call('DELETE', `/v1/webhook-endpoints/${witness.id}`);
    const reenabled = await gateway.call<Endpoint>('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { body: { enabled: true } });
    expect(reenabled.body).toMatchObject({ enabled: true, status: 'active', failedDeliveriesInARow: 0 });
    expect(await deliveries(gateway, endpoint.id)).toHaveLength(2);
    await gateway.call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  });

  it('rotates the secret: during the grace period both secrets verify, after it only the new one', async () => {
    const endpoint = await createEndpoint(gateway, '/ok', ['connector.activated']);
    const rotated = await gateway.call<Endpoint & { secret: string }>('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { body: { graceSeconds: 6 } });
    expect(rotated.status).toBe(200);
    secretsShown.push(rotated.body.secret);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    const graceEnds = Date.parse(rotated.body.previousSecretExpiresAt as string);

    const during = await activeConnector(gateway, 'rotation-during', { mode: 'BEARER' });
    const signedDuring = await arrived('/ok', (d) => bodyOf(d).data.connectorId === during, 'a delivery during the grace period');
    expect(verifies(endpoint.secret, signedDuring)).toBe(true);
    expect(verifies(rotated.body.secret, signedDuring)).toBe(true);
    expect(signedDuring.signature.split(' ')).toHaveLength(2);
    // the delivery was signed before the grace period ended (else this test proves nothing)
    expect(Number(signedDuring.timestamp) * 1000).toBeLessThan(graceEnds);

    await waitFor(() => Date.now() > graceEnds + 100, { timeoutMs: 15_000, description: 'the grace period to end' });
    const after = await activeConnector(gateway, 'rotation-after', { mode: 'BEARER' });
    const signedAfter = await arrived('/ok', (d) => bodyOf(d).data.connectorId === after, 'a delivery after the grace period');
    expect(verifies(rotated.body.secret, signedAfter)).toBe(true);
    expect(verifies(endpoint.secret, signedAfter)).toBe(false);
    expect((await gateway.call<Endpoint>('GET', `/v1/webhook-endpoints/${endpoint.id}`)).body.previousSecretExpiresAt).toBeNull();
    await gateway.call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  });

  it("a dead endpoint of one workspace delays nobody else's deliveries", async () => {
    const slow = await newWorkspace(system, 'Slow Co');
    const fast = await newWorkspace(system, 'Fast Co');
    await createEndpoint(slow.gateway, '/hang', ['connector.activated']);
    const fastEndpoint = await createEndpoint(fast.gateway, '/ok', ['connector.activated']);
    // more slow deliveries than the endpoint's concurrency, each holding its slot until the attempt timeout
    for (let i = 0; i < 4; i++) await activeConnector(slow.gateway, `slow-${i}`, { mode: 'BEARER' });
    await waitFor(() => receiver.hanging >= 2, { timeoutMs: 20_000, description: 'the slow endpoint holding its attempts' });
    const heldSince = Date.now();

    const connectorId = await activeConnector(fast.gateway, 'fast', { mode: 'BEARER' });
    const delivered = await arrived('/ok', (d) => bodyOf(d).data.connectorId === connectorId, "the other workspace's delivery");
    expect(verifies(fastEndpoint.secret, delivered)).toBe(true);
    // it arrived while the slow endpoint still held its attempts, inside one attempt timeout
    expect(receiver.hanging).toBeGreaterThanOrEqual(1);
    expect(delivered.receivedAt - heldSince).toBeLessThan(ATTEMPT_TIMEOUT_MS);
    // and the slow endpoint never had more attempts under way than its own limit
    expect(receiver.hanging).toBeLessThanOrEqual(2);
  });

  it('deletes finished deliveries and their attempts once they are older than WEBHOOK_RETENTION_DAYS, and keeps recent ones', async () => {
    const endpoint = await createEndpoint(gateway, '/ok', ['connector.activated']);
    const first = await activeConnector(gateway, 'retained-old', { mode: 'BEARER' });
    const second = await activeConnector(gateway, 'retained-new', { mode: 'BEARER' });
    const old = await arrived('/ok', (d) => bodyOf(d).type === 'connector.activated' && bodyOf(d).data.connectorId === first, 'the first activation');
    const recent = await arrived('/ok', (d) => bodyOf(d).type === 'connector.activated' && bodyOf(d).data.connectorId === second, 'the second activation');
    const recorded = async () => (await deliveries(gateway, endpoint.id)).filter((d) => [old.webhookId, recent.webhookId].includes(d.id) && d.status === 'succeeded');
    await waitFor(async () => ((await recorded()).length === 2 ? true : undefined), { timeoutMs: 30_000, description: 'both deliveries recorded' });

    // the first finished 31 days ago (the default retention is 30)
    await withDb(system, (db) => db.query(`UPDATE connector_config.webhook_deliveries SET completed_at = now() - interval '31 days' WHERE id = $1`, [old.webhookId]));
    await waitFor(async () => ((await deliveries(gateway, endpoint.id)).some((d) => d.id === old.webhookId) ? undefined : true), { timeoutMs: 30_000, description: 'the old delivery to be pruned' });
    const left = await withDb(system, async (db) => (await db.query('SELECT delivery_id FROM connector_config.webhook_attempts WHERE delivery_id = ANY ($1)', [[old.webhookId, recent.webhookId]])).rows as Array<{ delivery_id: string }>);
    expect(left.map((row) => row.delivery_id)).toEqual([recent.webhookId]);
    const kept = (await deliveries(gateway, endpoint.id)).map((d) => d.id);
    expect(kept).toContain(recent.webhookId);
    expect(kept).not.toContain(old.webhookId);
    await gateway.call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  });

  it('is managed through the SDK: webhookEndpoints create, list, get, update, rotateSecret, deliveries, attempts, replay, delete', async () => {
    const broker = new CredentialBrokerClient({ baseUrl: system.urls.gateway, apiKey: gateway.apiKey });
    const endpoint = await broker.webhookEndpoints.create({ url: receiver.url('/ok'), eventTypes: ['connector.activated'], description: 'sdk' });
    secretsShownToSdk.push(endpoint.secret);
    expect((await broker.webhookEndpoints.list()).map((e) => e.id)).toContain(endpoint.id);
    expect(await broker.webhookEndpoints.get(endpoint.id)).toMatchObject({ id: endpoint.id, description: 'sdk', status: 'active' });
    expect(await broker.webhookEndpoints.update(endpoint.id, { description: 'sdk, renamed' })).toMatchObject({ description: 'sdk, renamed' });
    const rotated = await broker.webhookEndpoints.rotateSecret(endpoint.id);
    secretsShownToSdk.push(rotated.secret);

    const connectorId = await activeConnector(gateway, 'sdk-bearer', { mode: 'BEARER' });
    const received = await arrived('/ok', (d) => bodyOf(d).data.connectorId === connectorId, 'the SDK endpoint delivery');
    expect(verifies(rotated.secret, received)).toBe(true);
    const page = await waitFor(async () => {
      const listed = await broker.webhookEndpoints.deliveries(endpoint.id, { status: 'succeeded' });
      return listed.items.length === 1 ? listed : undefined;
    }, { description: 'the delivery listed through the SDK' });
    expect(page.items[0]?.id).toBe(received.webhookId);
    expect((await broker.webhookEndpoints.attempts(endpoint.id, received.webhookId)).map((a) => a.outcome)).toEqual(['succeeded']);
    expect(await broker.webhookEndpoints.replay(endpoint.id, received.webhookId)).toMatchObject({ id: received.webhookId, status: 'pending' });
    await broker.webhookEndpoints.delete(endpoint.id);
    await expect(broker.webhookEndpoints.get(endpoint.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(broker.webhookEndpoints.create({ url: 'ftp://x.example.com/', eventTypes: ['connection.created'] })).rejects.toBeInstanceOf(CredentialBrokerError);
  });

  it('shows the signing secret in no answer but the ones that create or rotate it, and in no log', () => {
    expect(secretsShown.length).toBeGreaterThan(3);
    const logs = system.logs();
    for (const secret of secretsShownToSdk) expect(logs).not.toContain(secret.slice('whsec_'.length));
    for (const secret of secretsShown) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(secret.slice('whsec_'.length));
      const showing = seenResponses.filter((r) => r.text.includes(secret)).map((r) => r.route.replace(/[0-9a-f-]{36}/g, ':id'));
      expect(showing.every((route) => route === 'POST /v1/webhook-endpoints' || route === 'POST /v1/webhook-endpoints/:id/rotate-secret')).toBe(true);
      expect(showing).toHaveLength(1);
    }
  });
});

describe('webhooks under the production outbound policy', () => {
  let system: RunningSystem;
  let listener: Server;
  let port = 0;
  let connectionsMade = 0;

  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { 'connector-config': { RUN_MODE: 'production', WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_RETRY_SCHEDULE: '300ms' } } });
    // stands where an internal service would: it only counts who connects
    listener = createServer((socket) => {
      connectionsMade += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => listener?.close(resolve));
    await system?.stop();
  });

  it('records an attempt to an endpoint on an internal address as refused, and connects to nothing', async () => {
    const { gateway } = await newWorkspace(system, 'Policy Co');
    const created = await gateway.call<{ id: string }>('POST', '/v1/webhook-endpoints', { body: { url: `https://127.0.0.1:${port}/in`, eventTypes: ['connector.activated'] } });
    expect(created.status).toBe(201);
    await activeConnector(gateway, 'policy-bearer', { mode: 'BEARER' });
    const failed = await waitFor(
      async () => {
        const listed = await gateway.call<{ items: Delivery[] }>('GET', `/v1/webhook-endpoints/${created.body.id}/deliveries`);
        return listed.body.items.find((d) => d.status === 'failed');
      },
      { timeoutMs: 30_000, description: 'the delivery to fail' },
    );
    const tried = await gateway.call<{ items: Attempt[] }>('GET', `/v1/webhook-endpoints/${created.body.id}/deliveries/${failed.id}/attempts`);
    expect(tried.body.items.map((attempt) => attempt.outcome)).toEqual(['refused', 'refused']);
    expect(connectionsMade).toBe(0);
  });
});
