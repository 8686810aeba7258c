/**
 * kill -9 of the delivering service: connector-config runs as a child process and is SIGKILLed while
 * a delivery is in flight (the receiver holds it); connect flows keep producing events while it is
 * down and starting again. After the restart nothing is lost (every event reaches the receiver and is accepted), and the only
 * duplicates are those Standard Webhooks allows: the same webhook-id sent again. The cut-off attempt
 * is listed as interrupted.
 */
import { waitFor } from '../harness';
import { createActiveConnector, createWorkspace, type Driver, type FlowResult, patientCall, pool, runFlow } from '../faults/fault-support';
import { FLOW_RATE_LIMITS_OFF } from '../faults/flow-scenario';
import { ProcessSystem, startProcessSystem } from '../faults/process-system';
import { bodyOf, verifies, WebhookReceiver } from './webhook-receiver';

const FLOWS = 24;

describe('kill -9 of connector-config while it delivers webhooks', () => {
  let system: ProcessSystem;
  let receiver: WebhookReceiver;
  let driver: Driver;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    system = await startProcessSystem({
      serviceEnv: {
        'connector-config': { WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,1s,1s', WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_ATTEMPT_TIMEOUT_MS: '5000' },
        gateway: FLOW_RATE_LIMITS_OFF,
      },
    });
    const workspace = await createWorkspace(system.databaseUrls.gateway, 'Kill Co');
    driver = { base: system.urls.gateway, apiKey: workspace.apiKey };
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    await receiver?.stop();
  });

  it('loses no event and duplicates none but by webhook-id', async () => {
    const deadline = Date.now() + 30_000;
    const created = await patientCall<{ id: string; secret: string }>(`${driver.base}/v1/webhook-endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${driver.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url('/hold-first'), eventTypes: ['connector.activated', 'connection.created'] }),
      deadline,
    });
    expect(created.status).toBe(201);
    const { id: endpointId, secret } = created.body;

    const connectorId = await createActiveConnector(driver, 'kill-typed', { mode: 'API_KEY', headerName: 'X-Key' });
    // the first delivery is held by the receiver: connector-config dies with it in flight
    await waitFor(() => receiver.hanging === 1, { timeoutMs: 30_000, description: 'a delivery in flight' });
    const inFlight = receiver.received[0];
    if (!inFlight) throw new Error('no delivery received');

    await system.kill('connector-config');
    // flows go on while it is down and while it starts again; their events wait in Kafka
    const flows = pool(3, (index) => index < FLOWS, (index) => runFlow(driver, 'typed', connectorId, `kill-user-${index}`, 90_000));
    await system.start('connector-config');
    const results: FlowResult[] = await flows;
    const connections = results.filter((r) => r.outcome === 'completed').map((r) => r.connectionId as string);
    expect(connections.length).toBeGreaterThan(FLOWS * 0.8);

    const accepted = (predicate: (body: ReturnType<typeof bodyOf>) => boolean): boolean =>
      receiver.at('/hold-first').some((d) => d.answered === 200 && predicate(bodyOf(d)));
    await waitFor(
      () => accepted((b) => b.type === 'connector.activated' && b.data.connectorId === connectorId) && connections.every((id) => accepted((b) => b.type === 'connection.created' && b.data.connectionId === id)),
      { timeoutMs: 60_000, intervalMs: 200, description: 'every event accepted by the receiver' },
    );

    // duplicates: only the same webhook-id again, never one event under two ids
    const idsByEvent = new Map<string, Set<string>>();
    for (const delivery of receiver.at('/hold-first')) {
      expect(verifies(secret, delivery)).toBe(true);
      const eventId = bodyOf(delivery).cloudevents.id;
      idsByEvent.set(eventId, (idsByEvent.get(eventId) ?? new Set()).add(delivery.webhookId));
    }
    expect([...idsByEvent.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    expect(idsByEvent.size).toBe(connections.length + 1);

    // the delivery cut off by the kill was sent again under its webhook-id, the cut-off attempt listed
    const again = receiver.at('/hold-first').filter((d) => d.webhookId === inFlight.webhookId);
    expect(again.map((d) => d.answered)).toEqual(['hung', 200]);
    const attempts = await patientCall<{ items: Array<{ attempt: number; outcome: string }> }>(`${driver.base}/v1/webhook-endpoints/${endpointId}/deliveries/${inFlight.webhookId}/attempts`, {
      method: 'GET',
      headers: { authorization: `Bearer ${driver.apiKey}` },
      deadline: Date.now() + 10_000,
    });
    expect(attempts.body.items.map((a) => a.outcome)).toEqual(['interrupted', 'succeeded']);
    process.stdout.write(`webhooks kill -9: ${connections.length} connections, ${receiver.at('/hold-first').length} deliveries received for ${idsByEvent.size} events\n`);
  }, 300_000);
});
