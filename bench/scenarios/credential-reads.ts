/**
 * 3. Credential reads: POST /v1/connections/:id/credential on the gateway (API key check, internal
 * hop to token-issuance, the vault read and decryption, the audit row) under fixed concurrency for
 * a fixed time after a warm-up. Floors, under the same load: a bare Node HTTP server process doing
 * the same essential work (API key check, database read, AES-GCM decryption, committed audit row),
 * and the bare read and decryption alone for reference.
 */
import { join } from 'node:path';
import { freePorts } from '../../scripts/lib/ports';
import { nodeArgs } from '../lib/build';
import type { BenchContext } from '../lib/context';
import { runLoad, LoadRequest, LoadResult } from '../lib/load';
import { figure, progress, ScenarioResult, scenarioResult } from '../lib/report';
import { CpuReport, cpuMsPerOperation, CpuSampler } from '../lib/sampler';
import { seedConnections } from '../lib/seed';
import { spawnRecorded, waitUntilOk } from '../lib/system';

export async function credentialReads(ctx: BenchContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const seeded = await seedConnections(ctx.system, ctx.workspace, s.readConnections, s.seedConcurrency, 'reader', '3 credential reads: seeding');
  const ids = seeded.connectionIds;
  const { workspaceId, apiKey } = ctx.workspace;

  const [floorPort] = (await freePorts(1)) as [number];
  const { args, env } = nodeArgs('bench/floor/credential-server.js');
  const floorPid = spawnRecorded(
    ctx.state,
    'credential-floor',
    [...args, `--bench-run=${ctx.state.runDir}`],
    // The admin's URL: the fair floor does in one process what two services do, with the API keys of one schema and the credentials of another.
    { ...env, DATABASE_URL: ctx.system.databaseUrl, VAULT_KEYS: ctx.system.vaultKeys, PORT: String(floorPort) },
    ctx.state.runDir,
  );
  await waitUntilOk(`http://127.0.0.1:${floorPort}/health`, 'credential-floor', floorPid, ctx.state);

  const measure = async (name: string, next: (w: number, i: number) => LoadRequest): Promise<{ load: LoadResult; cpu: CpuReport }> => {
    const sampler = new CpuSampler(() => ctx.watched(), ctx.infra.adminUrl);
    const load = await runLoad({
      concurrency: s.readConcurrency,
      warmupSeconds: s.readWarmupSeconds,
      seconds: s.readSeconds,
      next,
      onMeasureStart: () => sampler.start(),
      onTick: (done, phase) => progress(`3 credential reads (${name}): ${phase}, ${done} reads`),
    });
    return { load, cpu: await sampler.stop() };
  };

  const body = JSON.stringify({});
  const gatewayBase = ctx.system.urls.gateway;
  const broker = await measure('gateway', (w, i) => ({
    url: new URL(`${gatewayBase}/v1/connections/${ids[(w + i) % ids.length]}/credential`),
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body,
  }));
  // Not a figure: how much of the read's cost is token-issuance's alone (its internal API, no gateway).
  const internal = await measure('token-issuance alone', (w, i) => ({
    url: new URL(`${ctx.system.urls['token-issuance']}/internal/v1/workspaces/${workspaceId}/connections/${ids[(w + i) % ids.length]}/credential`),
    method: 'POST',
    headers: { 'x-internal-token': ctx.system.internalToken, 'x-api-key-id': 'bench', 'content-type': 'application/json' },
    body,
  }));
  progress(`3 credential reads: token-issuance alone ${internal.load.rps.toFixed(0)} req/s, ${cpuMsPerOperation(internal.cpu, internal.load.requests).toFixed(2)} ms CPU per read`);
  ctx.extraWatched.push({ name: 'credential-floor', pid: floorPid });
  let fair: { load: LoadResult; cpu: CpuReport };
  let floor: { load: LoadResult; cpu: CpuReport };
  try {
    fair = await measure('fair floor', (w, i) => ({
      url: new URL(`http://127.0.0.1:${floorPort}/fair/${ids[(w + i) % ids.length]}`),
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body,
    }));
    floor = await measure('bare floor', (w, i) => ({
      url: new URL(`http://127.0.0.1:${floorPort}/credential/${workspaceId}/${ids[(w + i) % ids.length]}`),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }));
  } finally {
    ctx.extraWatched.pop();
    try {
      process.kill(floorPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const b = broker.load;
  const f = fair.load;
  const bare = floor.load;
  for (const [name, load] of [['broker', b], ['token-issuance alone', internal.load], ['fair floor', f], ['bare floor', bare]] as const) {
    if (load.errors > 0) throw new Error(`${name}: ${load.errors} answers were not 200: ${JSON.stringify(load.statuses)}`);
  }
  return scenarioResult({
    id: 'credential-reads',
    title: '3 credential reads',
    measures:
      `${s.readConcurrency} concurrent keep-alive clients for ${s.readSeconds} s after ${s.readWarmupSeconds} s of warm-up, spread over ${ids.length} connections. ` +
      'Broker: the gateway\'s POST /v1/connections/:id/credential (API key lookup, internal HTTP to token-issuance, vault read + AES-256-GCM open, audit row). ' +
      'Floor (fair): a bare node:http server process doing the same essential work: the API key lookup and hash check, the SELECT of the sealed credential, the same Keyring.open, ' +
      'and the audit row INSERT committed before the answer. The "bare floor" lines: the SELECT and the Keyring.open only.',
    figures: [
      figure('requests/s', 'req/s', b.rps, f.rps, 'higher'),
      figure('p50 latency', 'ms', b.latencyMs.p50, f.latencyMs.p50, 'lower'),
      figure('p99 latency', 'ms', b.latencyMs.p99, f.latencyMs.p99, 'lower'),
      figure('CPU per read (all processes but the load generator)', 'ms', cpuMsPerOperation(broker.cpu, b.requests), cpuMsPerOperation(fair.cpu, f.requests), 'lower'),
      figure('requests/s against the bare floor', 'req/s', b.rps, bare.rps, 'higher'),
      figure('CPU per read against the bare floor', 'ms', cpuMsPerOperation(broker.cpu, b.requests), cpuMsPerOperation(floor.cpu, bare.requests), 'lower'),
    ],
    details: { broker: b, tokenIssuanceAlone: { ...internal.load, cpuMsPerRead: cpuMsPerOperation(internal.cpu, internal.load.requests) }, floor: f, bareFloor: bare, connections: ids.length, seedSeconds: seeded.seconds, logs: join(ctx.state.runDir, 'logs') },
    cpu: broker.cpu,
    floorCpu: fair.cpu,
    checks: { brokerErrors: b.errors, floorErrors: f.errors, bareFloorErrors: bare.errors },
  });
}
