/**
 * Every service twice, as separate processes: two of each of the five services (ten pids, one
 * Kafka, one PostgreSQL), each pair behind a round-robin, the test calling the gateways' round-robin.
 * Rate limits and API-key revocation hold across both gateways; then connect flows, credential reads
 * and refreshes run while one instance of every service is killed with SIGKILL and not restarted:
 * nothing is lost or duplicated, no code or refresh token is presented twice, and each consumer group
 * ends with the survivor holding every partition.
 */
import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka } from 'kafkajs';
import { EVENT_CATALOG } from '@cb/events';
import { createKafka, INBOX_PARTITIONS_CONSUMED_CONCURRENTLY } from '@cb/messaging';
import { waitFor } from '../harness';
import { ServiceName } from '../support/system';
import { auditDeliveries, auditFigures, credentialsAcceptedByProvider, waitForRefreshOfActive } from './delivery-audit';
import { FlowResult, formatCounts, patientCall, pool, runFlow } from './fault-support';
import { FLOW_RATE_LIMITS_OFF, FlowScenario, QUICK_REFRESH, startFlowScenario } from './flow-scenario';
import { ProcessSystem, SERVICES, startProcessSystem } from './process-system';

const MIN_FLOWS = Number(process.env.FAULT_FLOWS ?? 300);
const TOKEN_TTL_SECONDS = 20;
const REPORT_BURST = 10;
/** The services that consume events (connector-config only produces). */
const CONSUMERS = SERVICES.filter((name) => EVENT_CATALOG.some((definition) => (definition.consumers as string[]).includes(name)));

/** Each consuming service's consumer groups (token-issuance has a lane of its own for refreshes). */
function consumerGroups(system: ProcessSystem): Array<{ service: ServiceName; groupId: string }> {
  return [
    // connector-config consumes in its webhooks lane only: it has no group of its own name
    ...CONSUMERS.filter((service) => service !== 'connector-config').map((service) => ({ service, groupId: `${system.topicPrefix}${service}` })),
    { service: 'token-issuance' as const, groupId: `${system.topicPrefix}token-issuance.refresh` },
    { service: 'connector-config' as const, groupId: `${system.topicPrefix}connector-config.webhooks` },
  ];
}

/** Waits until every group is stable with `members(service)` members, and says what it last saw when it never is. */
async function groupsSettled(kafka: Kafka, groups: Array<{ service: ServiceName; groupId: string }>, members: (service: ServiceName) => number, description: string): Promise<Map<string, GroupView>> {
  let last = new Map<string, GroupView>();
  try {
    return await waitFor(
      async () => {
        last = await describeGroups(kafka, groups.map((g) => g.groupId));
        return groups.every(({ service, groupId }) => last.get(groupId)?.state === 'Stable' && last.get(groupId)?.members.length === members(service)) ? last : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(Object.fromEntries(last))}`);
  }
}

interface GroupView {
  state: string;
  /** Kafka client ids of the members: the instances' INSTANCE_IDs. */
  members: string[];
  /** Partitions assigned across all members, as `topic:partition`. */
  assigned: string[];
  /** How many partitions each member holds. */
  perMember: number[];
}

function partitionsOf(member: { memberAssignment: Buffer }): string[] {
  const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {};
  return Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => `${topic}:${partition}`));
}

async function describeGroups(kafka: Kafka, groupIds: string[]): Promise<Map<string, GroupView>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups(groupIds);
    return new Map(
      groups.map((group) => [
        group.groupId,
        {
          state: group.state,
          members: group.members.map((member) => member.clientId).sort(),
          assigned: group.members.flatMap(partitionsOf),
          perMember: group.members.map((member) => partitionsOf(member).length),
        },
      ]),
    );
  } finally {
    await admin.disconnect();
  }
}

describe('every service twice, as separate processes', () => {
  let system: ProcessSystem;
  let scenario: FlowScenario;
  let kafka: Kafka;

  beforeAll(async () => {
    system = await startProcessSystem({
      instances: 2,
      serviceEnv: {
        // a burst the test spends across both gateways, refilled too slowly to matter meanwhile
        gateway: { ...FLOW_RATE_LIMITS_OFF, RATE_LIMIT_REPORT_UNAUTHORIZED: `${REPORT_BURST},0.001` },
        ...QUICK_REFRESH,
      },
    });
    kafka = createKafka('every-service-twice-test', system.kafkaBrokers);
    scenario = await startFlowScenario(system, 'twice', TOKEN_TTL_SECONDS);
  }, 420_000);

  afterAll(async () => {
    await scenario?.stop();
    await system?.stop();
  });

  it('runs ten processes, and both instances of each service share its consumer groups', async () => {
    expect(new Set(system.pids()).size).toBe(SERVICES.length * 2);
    const groups = consumerGroups(system);
    const views = await groupsSettled(kafka, groups, () => 2, 'both instances of every consuming service in its consumer groups');
    for (const { service, groupId } of groups) {
      const view = views.get(groupId) as GroupView;
      expect(view.members).toEqual([...system.instanceIds[service]].sort());
      // with 3 partitions per topic both members get work, and no partition is held twice
      expect(view.perMember.every((count) => count > 0)).toBe(true);
      expect(new Set(view.assigned).size).toBe(view.assigned.length);
    }
  });

  it('spends one rate limit across both gateways', async () => {
    const { driver } = scenario;
    const answers: number[] = [];
    for (let i = 0; i < REPORT_BURST * 3; i += 1) {
      const gateway = system.instanceUrls.gateway[i % 2] as string;
      const answer = await fetch(`${gateway}/v1/connections/${randomUUID()}/report-unauthorized`, {
        method: 'POST',
        headers: { authorization: `Bearer ${driver.apiKey}`, 'content-type': 'application/json' },
        body: '{}',
      });
      answers.push(answer.status);
    }
    const admitted = answers.filter((status) => status !== 429);
    // one gateway alone would admit the whole burst again; shared, the two admit it once
    expect(admitted.length).toBeGreaterThanOrEqual(REPORT_BURST - 1);
    expect(admitted.length).toBeLessThanOrEqual(REPORT_BURST + 1);
    expect(answers.filter((status, i) => status === 429 && i % 2 === 0).length).toBeGreaterThan(0);
    expect(answers.filter((status, i) => status === 429 && i % 2 === 1).length).toBeGreaterThan(0);
  });

  it('refuses a key revoked through one gateway at the other as well', async () => {
    const { driver, warmUp } = scenario;
    const created = await patientCall<{ id: string; apiKey: string }>(`${system.urls.gateway}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${driver.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'reader', scopes: ['credentials:read'] }),
      deadline: Date.now() + 10_000,
    });
    expect(created.status).toBe(201);
    const readWith = (gateway: string): Promise<number> =>
      fetch(`${gateway}/v1/connections/${warmUp.connectionId}`, { headers: { authorization: `Bearer ${created.body.apiKey}` } }).then((r) => r.status);
    const [first, second] = system.instanceUrls.gateway as [string, string];
    // both gateways know (and keep) the key
    expect([await readWith(first), await readWith(second)]).toEqual([200, 200]);

    const revoked = await fetch(`${first}/v1/api-keys/${created.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${driver.apiKey}` } });
    expect(revoked.status).toBe(204);
    expect(await readWith(first)).toBe(401);
    await waitFor(async () => (await readWith(second)) === 401, { timeoutMs: 5_000, intervalMs: 50, description: 'the other gateway refusing the revoked key' });
  });

  it(`runs at least ${MIN_FLOWS} flows while one instance of each service is killed: none lost, none duplicated`, async () => {
    const { driver, sandbox, events, oauthConnectorId, typedConnectorId } = scenario;
    const started = Date.now();
    const done: FlowResult[] = [];
    const reads: Array<{ connectionId: string; status: number }> = [];
    const killed: string[] = [];
    const killer = (async () => {
      await waitFor(() => done.length >= 20, { timeoutMs: 120_000, intervalMs: 100, description: 'flows finishing before the first kill' });
      for (const name of SERVICES) {
        const target = done.length + 3;
        await waitFor(() => done.length >= target, { timeoutMs: 90_000, intervalMs: 100, description: `flows finishing before ${name} is killed` });
        await system.kill(name, 1);
        killed.push(`${name}@${Math.round((Date.now() - started) / 1000)}s`);
      }
    })();
    const progress = setInterval(() => process.stderr.write(`[twice] ${Math.round((Date.now() - started) / 1000)}s: ${done.length} flows, ${reads.length} reads, killed ${killed.join(' ')}\n`), 10_000);
    const readCredential = async (flow: FlowResult): Promise<void> => {
      if (flow.outcome !== 'completed') return;
      const read = await patientCall(`${driver.base}/v1/connections/${flow.connectionId}/credential`, {
        method: 'POST',
        headers: { authorization: `Bearer ${driver.apiKey}`, 'content-type': 'application/json' },
        body: '{}',
        deadline: Date.now() + 30_000,
      }).catch(() => ({ status: 0 }));
      reads.push({ connectionId: flow.connectionId as string, status: read.status });
    };
    const results = await pool(
      6,
      (index) => killed.length < SERVICES.length || index < MIN_FLOWS,
      async (index) => {
        const flow = await runFlow(driver, index % 3 === 2 ? 'typed' : 'oauth', index % 3 === 2 ? typedConnectorId : oauthConnectorId, `user-${index}`, 90_000);
        done.push(flow);
        await readCredential(flow);
        return flow;
      },
    );
    await killer;
    clearInterval(progress);

    const completed = results.filter((r) => r.outcome === 'completed');
    const waitingForRefresh = await waitForRefreshOfActive(system, events, completed, TOKEN_TTL_SECONDS * 4000);
    const audit = await auditDeliveries(system, events, sandbox, results);
    const { counts, provider, notActive } = audit;
    process.stdout.write(
      formatCounts('every service twice', counts, {
        killed,
        'credential reads': reads.length,
        'reads not 200': reads.filter((read) => read.status !== 200).map((read) => read.status),
        ...auditFigures(audit),
        seconds: Math.round((Date.now() - started) / 1000),
      }),
    );

    const groups = consumerGroups(system);
    const survivors = await groupsSettled(kafka, groups, () => 1, 'every consumer group down to its surviving instance');

    expect(killed).toHaveLength(SERVICES.length);
    expect(new Set(system.pids()).size).toBe(SERVICES.length);
    expect(counts.started).toBeGreaterThanOrEqual(MIN_FLOWS);
    expect(counts.lost).toBe(0);
    expect(counts.duplicated).toBe(0);
    expect(audit.sessionsLeftOpen).toBe(0);
    expect(counts.completed).toBeGreaterThan(counts.started * 0.8);
    expect(reads.length).toBe(completed.length);
    // a read may answer 409 only for a connection whose refresh the SIGKILL cut off (it ends needs_reconnect, allowed below)
    const interrupted = new Set(notActive.filter((c) => c.status === 'needs_reconnect' && c.error === 'refresh_interrupted').map((c) => c.id));
    expect(reads.filter((read) => read.status !== 200 && !(read.status === 409 && interrupted.has(read.connectionId)))).toEqual([]);
    expect(provider.authorizationCodeReuseDetections).toBe(0);
    expect(provider.tokenRequests.byGrantType.authorization_code ?? 0).toBeLessThanOrEqual(audit.codeRedemptions);
    expect(waitingForRefresh).toEqual([]);
    expect(audit.refreshesAnnounced).toBeGreaterThan(0);
    expect(provider.refreshTokenReuseDetections).toBe(0);
    // as in the kill -9 test: only a refresh cut off by the SIGKILL may end needs_reconnect
    expect(notActive.map((c) => `${c.status} ${c.error}`).filter((s) => s !== 'needs_reconnect refresh_interrupted')).toEqual([]);
    expect(notActive.length).toBeLessThanOrEqual(INBOX_PARTITIONS_CONSUMED_CONCURRENTLY);
    // the survivor of each service holds every partition of its groups
    for (const { service, groupId } of groups) {
      const view = survivors.get(groupId) as GroupView;
      expect(view.members).toEqual([system.instanceIds[service][0]]);
    }
    const inactive = new Set(notActive.map((c) => c.id));
    const stillActive = completed.filter((r) => r.kind === 'oauth' && !inactive.has(r.connectionId as string));
    expect(await credentialsAcceptedByProvider(driver, sandbox, stillActive, 20)).toEqual(stillActive.slice(0, 20).map(() => '200 accepted'));
  }, 600_000);
});
