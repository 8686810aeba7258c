/**
 * The benchmark's quick mode end to end (`npm run bench:quick`): it starts its own Kafka,
 * PostgreSQL, the five services and the sandbox provider, runs every scenario with its floor and
 * writes the JSON report. This proves the benchmark still works; it asserts no timing, only that
 * each scenario produced a figure, a floor and a ratio, the correctness counts the benchmark
 * reports, and that every process it started is gone afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/paths';
import { processAlive } from '../../scripts/lib/processes';

interface Report {
  settings: { mode: string };
  machine: Record<string, unknown>;
  results: Array<{ id: string; figure: number; floor: number; ratio: number; figures: Array<{ value: number; floor: number; ratio: number }>; checks: Record<string, number | boolean> }>;
  errors: unknown[];
  stoppedPids: number[];
}

describe('benchmark quick mode', () => {
  it('runs every scenario with its floor, writes the report and stops everything it started', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-quick-')), 'report.json');
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.KAFKA_BROKERS;
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/ts-node/dist/bin.js'), '-r', 'tsconfig-paths/register', '--transpile-only', 'bench/main.ts', '--quick', '--out', out], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    if (code !== 0) throw new Error(`the benchmark exited with ${code}:\n${output.slice(-6000)}`);

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.errors).toEqual([]);
    expect(report.settings.mode).toBe('quick');
    expect(report.machine).toEqual(expect.objectContaining({ cores: expect.any(Number), node: process.version, kafka: expect.any(String), postgres: expect.stringContaining('PostgreSQL') }));
    expect(report.results.map((r) => r.id).sort()).toEqual(['connect-latency', 'credential-reads', 'event-relay', 'proxy-calls', 'refresh-throughput', 'scale', 'soak']);
    for (const result of report.results) {
      for (const value of [result.figure, result.floor, result.ratio]) expect(Number.isFinite(value)).toBe(true);
      expect(result.figures.length).toBeGreaterThan(0);
      for (const f of result.figures) for (const value of [f.value, f.floor, f.ratio]) expect(typeof value).toBe('number');
    }
    const refresh = report.results.find((r) => r.id === 'refresh-throughput');
    expect(refresh?.checks).toEqual(expect.objectContaining({ doubleRefreshes: 0, grantsRevoked: 0, allAtCredentialVersion2: true }));
    expect(report.results.find((r) => r.id === 'event-relay')?.checks).toEqual({ allRelayed: true, allConsumed: true });
    // a proxied call that failed is never counted as served
    expect(report.results.find((r) => r.id === 'proxy-calls')?.checks).toEqual({ brokerErrors: 0, floorErrors: 0, bareFloorErrors: 0 });
    // the soak's memory figures are reported, not asserted: 20 s is too short to judge growth
    const soak = report.results.find((r) => r.id === 'soak')?.checks;
    expect(soak).toEqual({ reads: expect.any(Number), refreshes: expect.any(Number), connects: expect.any(Number), errors: 0, servicesGrowing: expect.any(Number), fiveServicesRssMiB: expect.any(Number) });
    for (const kind of ['reads', 'refreshes', 'connects']) expect(soak?.[kind]).toBeGreaterThan(0);
    expect(output).toContain('report: ');

    expect(report.stoppedPids.length).toBeGreaterThanOrEqual(8);
    expect(report.stoppedPids.filter(processAlive)).toEqual([]);
    expect(existsSync(join(ROOT, '.data', `bench-run-${child.pid}`))).toBe(false);
  }, 20 * 60_000);
});
