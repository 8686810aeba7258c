/**
 * 1. Connect latency: from the moment the provider redirects the browser to the callback until an
 * external kafkajs consumer receives TokenIssued. Each flow: a connect session at the gateway and
 * the sandbox's login and consent over HTTP (not timed); then, timed, the callback at the gateway,
 * CodeReceived through oauth-authorization's outbox and Kafka, the code exchange by token-issuance,
 * TokenIssued through its outbox and Kafka to the benchmark's consumer.
 *
 * Floor, interleaved flow by flow: the same code exchange sent straight to the provider, then one
 * kafkajs produce-to-consume hop with the services' producer and consumer settings.
 */
import { randomUUID } from 'node:crypto';
import { ConnectionFailed, TokenIssued } from '@cb/events';
import { createKafka } from '@cb/messaging';
import { authorizeOverHttp } from '../../test/support/sandbox-provider';
import type { BenchContext, Workspace } from '../lib/context';
import { startCollector } from '../lib/kafka';
import { figure, progress, ScenarioResult, scenarioResult } from '../lib/report';
import { CpuReport, CpuSampler, mergeReports, round } from '../lib/sampler';
import { authorizeGrant, exchangeCode } from '../lib/seed';
import { median, summarize } from '../lib/stats';

const WARMUP_FLOWS = 3;
const TIMEOUT_MS = 30_000;

interface Waiter {
  resolve: (at: number) => void;
  reject: (error: Error) => void;
}

export async function connectLatency(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.settings.connectFlows;
  const issuedTopic = `${ctx.system.topicPrefix}${TokenIssued.topic}`;
  const floorTopic = 'bench.connect-floor.v1';
  const failedTopic = `${ctx.system.topicPrefix}${ConnectionFailed.topic}`;
  const waiters = new Map<string, Waiter>();
  const arrivedEarly = new Map<string, number | Error>();
  const collector = await startCollector(ctx.kafka, ctx.unique('bench-connect'), [issuedTopic, floorTopic, failedTopic], (m) => {
    let id: string | undefined;
    let failure: Error | undefined;
    try {
      const payload = JSON.parse(m.value) as { connectionId?: string; reason?: string; errorCode?: string };
      if (m.topic === issuedTopic && payload.reason !== 'connect') return;
      if (m.topic === failedTopic) failure = new Error(`ConnectionFailed: ${payload.errorCode ?? 'unknown'}`);
      id = payload.connectionId;
    } catch {
      return;
    }
    if (!id) return;
    const waiter = waiters.get(id);
    if (waiter && failure) waiter.reject(failure);
    else if (waiter) waiter.resolve(m.at);
    else arrivedEarly.set(id, failure ?? m.at);
  });
  const arrival = (id: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const early = arrivedEarly.get(id);
      if (early instanceof Error) return reject(early);
      if (early !== undefined) return resolve(early);
      const timer = setTimeout(() => {
        waiters.delete(id);
        reject(new Error(`no TokenIssued for ${id} within ${TIMEOUT_MS / 1000}s`));
      }, TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(id);
      };
      waiters.set(id, {
        resolve: (at) => {
          done();
          resolve(at);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  const producer = createKafka('bench-connect-floor', ctx.system.kafkaBrokers).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  const gateway = ctx.system.urls.gateway;
  const cpuWindows: CpuReport[] = [];
  const floorCpuWindows: CpuReport[] = [];

  const brokerFlow = async (user: string, sample: boolean): Promise<{ ms: number; callbackMs: number; connectionId: string; startedAt: number }> => {
    const session = await openConnectFlow(gateway, ctx.workspace, user);
    const callbackUrl = session.callbackUrl;
    const sampler = new CpuSampler(() => ctx.watched());
    if (sample) await sampler.start();
    const startedAt = Date.now();
    const t0 = performance.now();
    const issued = arrival(session.connectionId);
    const callback = await fetch(callbackUrl, { redirect: 'manual' });
    await callback.text();
    const callbackMs = performance.now() - t0;
    if (callback.status !== 200) throw new Error(`callback answered ${callback.status}`);
    const at = await issued;
    if (sample) cpuWindows.push(await sampler.stop());
    return { ms: at - t0, callbackMs, connectionId: session.connectionId, startedAt };
  };

  const floorFlow = async (user: string, sample: boolean): Promise<{ ms: number; exchangeMs: number }> => {
    const { code, verifier } = await authorizeGrant(ctx.system, user);
    const id = randomUUID();
    const sampler = new CpuSampler(() => ctx.watched());
    if (sample) await sampler.start();
    const t0 = performance.now();
    const token = await exchangeCode(ctx.system, code, verifier);
    const exchangeMs = performance.now() - t0;
    const hop = arrival(id);
    await producer.send({
      topic: floorTopic,
      acks: -1,
      messages: [
        {
          key: id,
          value: JSON.stringify({ connectionId: id, reason: 'connect', expiresAt: new Date(Date.now() + (token.expiresIn ?? 3600) * 1000).toISOString(), credentialVersion: 1 }),
          headers: { ce_specversion: '1.0', ce_id: randomUUID(), ce_type: TokenIssued.type, ce_source: 'bench', 'content-type': 'application/json' },
        },
      ],
    });
    const at = await hop;
    if (sample) floorCpuWindows.push(await sampler.stop());
    return { ms: at - t0, exchangeMs };
  };

  const broker: Array<{ ms: number; callbackMs: number; connectionId: string; startedAt: number }> = [];
  const floor: Array<{ ms: number; exchangeMs: number }> = [];
  const failures: string[] = [];
  /** A flow that fails is recorded and replaced by another, up to a tenth of the flows. */
  const attempt = async <T>(flow: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await flow();
    } catch (error) {
      failures.push((error as Error).message);
      if (failures.length > Math.max(3, n / 10)) throw new Error(`too many failed flows: ${failures.join('; ')}`);
      return undefined;
    }
  };
  try {
    for (let i = 0; i < WARMUP_FLOWS; i++) {
      await attempt(() => brokerFlow(`connect-warmup-${i}`, false));
      await attempt(() => floorFlow(`connect-floor-warmup-${i}`, false));
    }
    for (let i = 0; broker.length < n || floor.length < n; i++) {
      if (broker.length < n) {
        const b = await attempt(() => brokerFlow(`connect-${i}`, true));
        if (b) broker.push(b);
      }
      if (floor.length < n) {
        const f = await attempt(() => floorFlow(`connect-floor-${i}`, true));
        if (f) floor.push(f);
      }
      progress(`1 connect latency: ${broker.length}/${n} flows, broker p50 ${median(broker.map((f) => f.ms)).toFixed(0)} ms, floor p50 ${median(floor.map((f) => f.ms)).toFixed(0)} ms`);
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
    await collector.stop().catch(() => undefined);
  }

  const stages = await stageBreakdown(ctx, broker);
  const b = summarize(broker.map((f) => f.ms));
  const f = summarize(floor.map((x) => x.ms));
  return scenarioResult({
    id: 'connect-latency',
    title: '1 connect latency',
    measures:
      `${n} flows one at a time (after ${WARMUP_FLOWS} warm-up flows), broker and floor interleaved. Broker: from sending the provider's redirect (GET /oauth/callback?code&state at the gateway) until the benchmark's kafkajs consumer receives TokenIssued(connect). ` +
      'Floor: the same authorization_code token request straight to the sandbox, then one produce (idempotent, acks=all) and consume (the services\' consumer settings) of a TokenIssued-sized message.',
    figures: [figure('p50', 'ms', b.p50, f.p50, 'lower'), figure('p95', 'ms', b.p95, f.p95, 'lower'), figure('p99', 'ms', b.p99, f.p99, 'lower')],
    details: {
      broker: roundSummary(b),
      floor: roundSummary(f),
      callbackResponseMs: roundSummary(summarize(broker.map((x) => x.callbackMs))),
      floorCodeExchangeMs: roundSummary(summarize(floor.map((x) => x.exchangeMs))),
      floorKafkaHopMs: roundSummary(summarize(floor.map((x) => x.ms - x.exchangeMs))),
      stageMediansMs: stages,
      failures,
    },
    cpu: mergeReports(cpuWindows),
    floorCpu: mergeReports(floorCpuWindows),
    checks: { flows: broker.length, failedFlows: failures.length },
  });
}

/** A connect session at the gateway, then the sandbox's login and consent: the provider's redirect to the callback, not yet sent. */
export async function openConnectFlow(gateway: string, workspace: Workspace, user: string): Promise<{ connectionId: string; callbackUrl: URL }> {
  const opened = await fetch(`${gateway}/v1/connect-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${workspace.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connectorId: workspace.connectorId, endUserId: user }),
  });
  const session = (await opened.json()) as { connectionId: string; authorizationUrl?: string };
  if (opened.status !== 201 || !session.authorizationUrl) throw new Error(`connect session: ${opened.status} ${JSON.stringify(session)}`);
  const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl, { username: user });
  return { connectionId: session.connectionId, callbackUrl };
}

function roundSummary(s: ReturnType<typeof summarize>): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 2)]));
}

/**
 * Where a broker flow's time goes, from the outbox rows' timestamps (database clock, same host):
 * created_at is the start of the transaction that wrote the event, published_at when the relay
 * had it acknowledged by Kafka.
 */
async function stageBreakdown(ctx: BenchContext, flows: Array<{ ms: number; connectionId: string; startedAt: number }>): Promise<Record<string, number>> {
  const ids = flows.map((f) => f.connectionId);
  const rows = async (schema: string, topic: string): Promise<Map<string, { created: number; published: number }>> => {
    const { rows: found } = await ctx.db.query<{ id: string; created_at: Date; published_at: Date | null }>(
      `SELECT payload->>'connectionId' AS id, created_at, published_at FROM "${schema}".outbox WHERE topic = $1 AND payload->>'connectionId' = ANY($2)`,
      [`${ctx.system.topicPrefix}${topic}`, ids],
    );
    return new Map(found.map((r) => [r.id, { created: r.created_at.getTime(), published: r.published_at?.getTime() ?? Number.NaN }]));
  };
  const code = await rows('oauth_authorization', 'credential-broker.code-received.v1');
  const issued = await rows('token_issuance', TokenIssued.topic);
  const stage = (pick: (f: { ms: number; startedAt: number }, c: { created: number; published: number }, t: { created: number; published: number }) => number): number => {
    const values = flows.flatMap((f) => {
      const c = code.get(f.connectionId);
      const t = issued.get(f.connectionId);
      return c && t ? [pick(f, c, t)] : [];
    });
    return round(median(values), 1);
  };
  return {
    'callback sent -> CodeReceived written (oauth-authorization)': stage((f, c) => c.created - f.startedAt),
    'CodeReceived written -> marked published by the relay': stage((_, c) => c.published - c.created),
    'CodeReceived relayed -> token-issuance handling it (Kafka hop)': stage((_, c, t) => t.created - c.published),
    'token-issuance: code exchange, vault write, commit, relay of TokenIssued': stage((_, __, t) => t.published - t.created),
    'TokenIssued marked published -> benchmark consumer (Kafka hop; negative: consumed before the relay\'s UPDATE)': stage((f, _, t) => f.startedAt + f.ms - t.published),
  };
}
