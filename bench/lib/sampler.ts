/**
 * CPU per process over a scenario: which process was busy. Each watched process is sampled at the
 * start and at the end; cores = CPU seconds / wall seconds. PostgreSQL counts as its whole process
 * tree (postmaster + backends), and its backends are also attributed to the client that owns them
 * (pg_stat_activity.application_name, which is the service's instance id).
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { procTimes, rssMiB, treeCpuSeconds } from './proc';

export interface Watched {
  name: string;
  pid: number;
  /** Sum the process tree (PostgreSQL). */
  tree?: boolean;
}

export interface CpuShare {
  process: string;
  cpuSeconds: number;
  /** Average cores kept busy during the scenario (1.0 = one core all the time). */
  cores: number;
}

export interface CpuReport {
  wallSeconds: number;
  processes: CpuShare[];
  /** PostgreSQL backend CPU by the application that owns the connection. */
  postgresByApplication: CpuShare[];
  /** The busiest process. */
  busiest: string;
  /** Sum over all watched processes, in cores; the machine has os.cpus().length. */
  totalCores: number;
  /** Busy cores of the whole machine (/proc/stat), and the part of it that was not this run's processes. */
  machineBusyCores: number;
  otherProcessesCores: number;
}

/** Busy and total jiffies of all CPUs, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

function cpuOf(w: Watched): number | undefined {
  if (w.pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  }
  if (w.tree) return treeCpuSeconds(w.pid);
  const t = procTimes(w.pid);
  return t ? t.self : undefined;
}

async function backendTimes(adminUrl: string | undefined): Promise<Map<number, { app: string; cpu: number }>> {
  const result = new Map<number, { app: string; cpu: number }>();
  if (!adminUrl) return result;
  const client = new Client({ connectionString: adminUrl, application_name: 'bench-sampler' });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number; app: string }>(`SELECT pid, application_name AS app FROM pg_stat_activity WHERE backend_type = 'client backend'`);
    for (const row of rows) {
      const t = procTimes(row.pid);
      if (t) result.set(row.pid, { app: row.app || '(unnamed)', cpu: t.self });
    }
  } catch {
    // sampling must never fail a scenario
  } finally {
    await client.end().catch(() => undefined);
  }
  return result;
}

/** Collapses instance-specific names: `token-issuance-outbox-relay` stays, pool names are service names. */
function appLabel(app: string): string {
  return app.replace(/^bench-.*$/, 'benchmark driver');
}

export class CpuSampler {
  private startCpu = new Map<string, number>();
  private startBackends = new Map<number, { app: string; cpu: number }>();
  private startedAt = 0;
  private startMachine = { busy: 0, total: 0 };

  constructor(
    private readonly watched: () => Watched[],
    private readonly adminUrl?: string,
  ) {}

  async start(): Promise<void> {
    this.startBackends = await backendTimes(this.adminUrl);
    this.startCpu = new Map();
    for (const w of this.watched()) {
      const cpu = cpuOf(w);
      if (cpu !== undefined) this.startCpu.set(w.name, cpu);
    }
    this.startMachine = machineJiffies();
    this.startedAt = performance.now();
  }

  async stop(): Promise<CpuReport> {
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const machine = machineJiffies();
    const machineBusyCores = (machine.busy - this.startMachine.busy) / 100 / wallSeconds;
    const processes: CpuShare[] = [];
    for (const w of this.watched()) {
      const before = this.startCpu.get(w.name);
      const after = cpuOf(w);
      if (before === undefined || after === undefined) continue;
      const cpuSeconds = Math.max(0, after - before);
      processes.push({ process: w.name, cpuSeconds: round(cpuSeconds, 2), cores: round(cpuSeconds / wallSeconds, 2) });
    }
    const endBackends = await backendTimes(this.adminUrl);
    const byApp = new Map<string, number>();
    for (const [pid, end] of endBackends) {
      const before = this.startBackends.get(pid)?.cpu ?? 0;
      const label = appLabel(end.app);
      byApp.set(label, (byApp.get(label) ?? 0) + Math.max(0, end.cpu - before));
    }
    processes.sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    const postgresByApplication = [...byApp]
      .map(([process, cpu]) => ({ process, cpuSeconds: round(cpu, 2), cores: round(cpu / wallSeconds, 2) }))
      .filter((s) => s.cpuSeconds > 0)
      .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    const totalCores = processes.reduce((sum, p) => sum + p.cores, 0);
    return {
      wallSeconds: round(wallSeconds, 2),
      processes,
      postgresByApplication,
      busiest: processes[0]?.process ?? 'unknown',
      totalCores: round(totalCores, 2),
      machineBusyCores: round(machineBusyCores, 2),
      otherProcessesCores: round(Math.max(0, machineBusyCores - totalCores), 2),
    };
  }
}

export function memoryOf(watched: Watched[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of watched) {
    const rss = rssMiB(w.pid);
    if (rss !== undefined) out[w.name] = round(rss, 1);
  }
  return out;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Adds up reports of several short windows (e.g. one per connect flow) into one. */
export function mergeReports(reports: CpuReport[]): CpuReport {
  const wallSeconds = reports.reduce((sum, r) => sum + r.wallSeconds, 0);
  const add = (pick: (r: CpuReport) => CpuShare[]): CpuShare[] => {
    const byName = new Map<string, number>();
    for (const r of reports) for (const s of pick(r)) byName.set(s.process, (byName.get(s.process) ?? 0) + s.cpuSeconds);
    return [...byName]
      .map(([process, cpu]) => ({ process, cpuSeconds: round(cpu, 2), cores: round(cpu / Math.max(wallSeconds, 1e-9), 2) }))
      .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  };
  const processes = add((r) => r.processes);
  const weighted = (pick: (r: CpuReport) => number): number => round(reports.reduce((sum, r) => sum + pick(r) * r.wallSeconds, 0) / Math.max(wallSeconds, 1e-9), 2);
  return {
    machineBusyCores: weighted((r) => r.machineBusyCores),
    otherProcessesCores: weighted((r) => r.otherProcessesCores),
    wallSeconds: round(wallSeconds, 2),
    processes,
    postgresByApplication: add((r) => r.postgresByApplication),
    busiest: processes[0]?.process ?? 'unknown',
    totalCores: round(processes.reduce((sum, p) => sum + p.cores, 0), 2),
  };
}

/**
 * CPU milliseconds per operation of the run's processes: robust to other load on the machine. The
 * benchmark driver counts only where it does the work itself (a floor's client), not where it
 * only generates load or consumes to measure.
 */
export function cpuMsPerOperation(report: CpuReport, operations: number, includeDriver = false): number {
  const cpu = report.processes.filter((p) => includeDriver || p.process !== 'benchmark driver').reduce((sum, p) => sum + p.cpuSeconds, 0);
  return round((cpu * 1000) / Math.max(1, operations), 2);
}
