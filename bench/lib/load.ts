/**
 * A closed-loop HTTP load generator: `concurrency` workers, each sending its next request when
 * the previous one answered (or, with `paceMs`, no sooner than `paceMs` after it started: a steady
 * rate instead of saturation), over keep-alive connections; a warm-up whose answers are not
 * counted, then a measured window.
 */
import { Agent, request } from 'node:http';
import { summarize } from './stats';

export interface LoadRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  latencyMs: ReturnType<typeof summarize>;
  statuses: Record<string, number>;
}

function send(agent: Agent, r: LoadRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: r.url.hostname, port: r.url.port, path: `${r.url.pathname}${r.url.search}`, method: r.method, headers: { ...r.headers, ...(r.body ? { 'content-length': Buffer.byteLength(r.body) } : {}) } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(r.body);
  });
}

const delay = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export async function runLoad(options: { concurrency: number; warmupSeconds: number; seconds: number; paceMs?: number; next: (worker: number, i: number) => LoadRequest; onTick?: (done: number, phase: string) => void; onMeasureStart?: () => Promise<void> }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let measuring = false;
  let stop = false;
  let count = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const counted = measuring;
      const t0 = performance.now();
      let status: number | string;
      try {
        status = await send(agent, options.next(w, i));
      } catch (error) {
        status = (error as Error).message;
      }
      const ms = performance.now() - t0;
      if (options.paceMs) await delay(t0 + options.paceMs - performance.now());
      if (!counted || !measuring) continue;
      count++;
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      if (status === 200) latencies.push(ms);
      else errors++;
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, w) => worker(w));
  const ticker = setInterval(() => options.onTick?.(count, measuring ? 'measuring' : 'warming up'), 500);
  try {
    await new Promise((r) => setTimeout(r, options.warmupSeconds * 1000));
    await options.onMeasureStart?.();
    measuring = true;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    stop = true;
    await Promise.all(workers);
    // Only 200s are served requests; anything else is reported apart and fails the scenario.
    return { requests: count - errors, errors, seconds, rps: (count - errors) / seconds, latencyMs: summarize(latencies), statuses };
  } finally {
    stop = true;
    clearInterval(ticker);
    agent.destroy();
  }
}
