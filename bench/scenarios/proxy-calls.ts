/**
 * 6. Proxied calls: GET /v1/proxy/:connectionId/items/<n> on the gateway (API key check, the proxy
 * limit, the streamed hop to token-issuance, the vault read and decryption, the credential applied,
 * the call to a local provider API, the answer streamed back, the audit row) under fixed
 * concurrency for a fixed time after a warm-up. Floors, under the same load: a bare Node HTTP
 * server process doing the same essential work (API key check, credential read and decryption, the
 * call over a keep-alive agent, the answer streamed back, the proxy_calls row), and for reference
 * the same request sent straight to the local API with the credential in hand.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePorts } from '../../scripts/lib/ports';
import { nodeArgs } from '../lib/build';
import type { BenchContext } from '../lib/context';
import { runLoad, LoadRequest, LoadResult } from '../lib/load';
import { figure, progress, ScenarioResult, scenarioResult } from '../lib/report';
import { CpuReport, cpuMsPerOperation, CpuSampler } from '../lib/sampler';
import { spawnRecorded, waitUntilOk } from '../lib/system';

export async function proxyCalls(ctx: BenchContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const token = randomBytes(24).toString('base64url');
  const [upstreamPort] = (await freePorts(1)) as [number];
  const { args, env } = nodeArgs('bench/floor/proxy-upstream.js');
  const upstreamPid = spawnRecorded(ctx.state, 'proxy-upstream', [...args, `--bench-run=${ctx.state.runDir}`], { ...env, PORT: String(upstreamPort), UPSTREAM_TOKEN: token }, ctx.state.runDir);
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  await waitUntilOk(`${upstream}/health`, 'proxy-upstream', upstreamPid, ctx.state);
  // The provider's CPU counts on both sides: both measurements call it.
  ctx.extraWatched.push({ name: 'proxy-upstream', pid: upstreamPid });
  try {
    const connectionId = await bearerConnection(ctx, `${upstream}/api`, token);
    const measure = async (name: string, next: (w: number, i: number) => LoadRequest): Promise<{ load: LoadResult; cpu: CpuReport }> => {
      const sampler = new CpuSampler(() => ctx.watched(), ctx.infra.adminUrl);
      const load = await runLoad({
        concurrency: s.readConcurrency,
        warmupSeconds: s.readWarmupSeconds,
        seconds: s.readSeconds,
        next,
        onMeasureStart: () => sampler.start(),
        onTick: (done, phase) => progress(`6 proxied calls (${name}): ${phase}, ${done} calls`),
      });
      return { load, cpu: await sampler.stop() };
    };
    const gateway = ctx.system.urls.gateway;
    const broker = await measure('broker', (w, i) => ({
      url: new URL(`${gateway}/v1/proxy/${connectionId}/items/${(w * 1000 + i) % 10_000}`),
      method: 'GET',
      headers: { authorization: `Bearer ${ctx.workspace.apiKey}` },
    }));
    const fair = await withFairFloor(ctx, `${upstream}/api`, (floorBase) =>
      measure('fair floor', (w, i) => ({
        url: new URL(`${floorBase}/fair-proxy/${connectionId}/items/${(w * 1000 + i) % 10_000}`),
        method: 'GET',
        headers: { authorization: `Bearer ${ctx.workspace.apiKey}` },
      })),
    );
    const floor = await measure('bare floor', (w, i) => ({
      url: new URL(`${upstream}/api/items/${(w * 1000 + i) % 10_000}`),
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    }));
    for (const [name, load] of [['broker', broker.load], ['fair floor', fair.load], ['bare floor', floor.load]] as const) {
      if (load.errors > 0) throw new Error(`${name}: ${load.errors} answers were not 200: ${JSON.stringify(load.statuses)}`);
    }
    const b = broker.load;
    const f = fair.load;
    const bare = floor.load;
    return scenarioResult({
      id: 'proxy-calls',
      title: '6 proxied calls',
      measures:
        `${s.readConcurrency} concurrent keep-alive clients for ${s.readSeconds} s after ${s.readWarmupSeconds} s of warm-up, one bearer-token connection. ` +
        "Broker: the gateway's GET /v1/proxy/:connectionId/items/<n> (API key lookup, the proxy limit, the streamed hop to token-issuance, vault read + AES-256-GCM open, " +
        'the credential applied, the call to a local API answering ~1 KiB of JSON, the answer streamed back, the proxy_calls row). ' +
        'Floor (fair): a bare node:http server process doing the same essential work: the API key lookup and hash check, the SELECT of the sealed credential, the same Keyring.open, ' +
        'the GET to the same local API over a keep-alive agent with the token applied, the answer streamed back, then the proxy_calls INSERT. ' +
        'The "bare floor" lines: the same GET sent straight to the local API with the token in hand. CPU per call counts the API server on every side.',
      figures: [
        figure('requests/s', 'req/s', b.rps, f.rps, 'higher'),
        figure('p50 latency', 'ms', b.latencyMs.p50, f.latencyMs.p50, 'lower'),
        figure('p99 latency', 'ms', b.latencyMs.p99, f.latencyMs.p99, 'lower'),
        figure('CPU per call (all processes but the load generator)', 'ms', cpuMsPerOperation(broker.cpu, b.requests), cpuMsPerOperation(fair.cpu, f.requests), 'lower'),
        figure('requests/s against the bare floor', 'req/s', b.rps, bare.rps, 'higher'),
        figure('p50 latency against the bare floor', 'ms', b.latencyMs.p50, bare.latencyMs.p50, 'lower'),
        figure('CPU per call against the bare floor', 'ms', cpuMsPerOperation(broker.cpu, b.requests), cpuMsPerOperation(floor.cpu, bare.requests), 'lower'),
      ],
      details: { broker: b, floor: f, bareFloor: bare, logs: join(ctx.state.runDir, 'logs') },
      cpu: broker.cpu,
      floorCpu: fair.cpu,
      checks: { brokerErrors: b.errors, floorErrors: f.errors, bareFloorErrors: bare.errors },
    });
  } finally {
    ctx.extraWatched.pop();
    try {
      process.kill(upstreamPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** A bearer-token connector pointed at the local API, and one connection made through a connect session. */
async function bearerConnection(ctx: BenchContext, apiBaseUrl: string, token: string): Promise<string> {
  const gateway = ctx.system.urls.gateway;
  const headers = { authorization: `Bearer ${ctx.workspace.apiKey}`, 'content-type': 'application/json' };
  const call = async <T>(method: string, path: string, body?: unknown, extra: Record<string, string> = headers): Promise<T> => {
    const response = await fetch(`${gateway}${path}`, { method, headers: extra, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const connector = await call<{ id: string }>('POST', '/v1/connectors', { slug: `bench-proxy-${randomBytes(3).toString('hex')}`, name: 'Benchmark proxy', config: { mode: 'BEARER', apiBaseUrl } });
  await call('POST', `/v1/connectors/${connector.id}/activate`, undefined, { authorization: headers.authorization });
  const session = await call<{ sessionId: string; sessionToken: string; connectionId: string }>('POST', '/v1/connect-sessions', { connectorId: connector.id, endUserId: 'bench-proxy-user' });
  await call('POST', '/v1/connect/credentials', { token }, { 'content-type': 'application/json', 'x-connect-session': session.sessionToken });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await call<{ status: string }>('GET', `/v1/connect-sessions/${session.sessionId}?waitSeconds=5`, undefined, { authorization: headers.authorization });
    if (view.status === 'completed') return session.connectionId;
    if (view.status !== 'pending') throw new Error(`the benchmark's bearer connection ended ${view.status}`);
    if (Date.now() > deadline) throw new Error("the benchmark's bearer connection did not complete within 60 s");
  }
}

/** Runs `use` with the fair floor's process started (bench/floor/credential-server), its CPU watched, then stops it. */
async function withFairFloor<T>(ctx: BenchContext, upstreamApi: string, use: (floorBase: string) => Promise<T>): Promise<T> {
  const [floorPort] = (await freePorts(1)) as [number];
  const { args, env } = nodeArgs('bench/floor/credential-server.js');
  const floorPid = spawnRecorded(
    ctx.state,
    'proxy-floor',
    [...args, `--bench-run=${ctx.state.runDir}`],
    { ...env, DATABASE_URL: ctx.system.databaseUrl, VAULT_KEYS: ctx.system.vaultKeys, PORT: String(floorPort), PROXY_UPSTREAM: upstreamApi },
    ctx.state.runDir,
  );
  const floorBase = `http://127.0.0.1:${floorPort}`;
  await waitUntilOk(`${floorBase}/health`, 'proxy-floor', floorPid, ctx.state);
  ctx.extraWatched.push({ name: 'proxy-floor', pid: floorPid });
  try {
    return await use(floorBase);
  } finally {
    ctx.extraWatched.pop();
    try {
      process.kill(floorPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
