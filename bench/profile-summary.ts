/**
 * Summarizes a V8 CPU profile (from `--node-option <service>:--cpu-prof`): self time by function
 * and by package, the heaviest first. `ts-node bench/profile-summary.ts <file.cpuprofile> [top]`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  if (url.startsWith('node:') || url === '') return url === '' ? '(native/gc)' : 'node core';
  const own = /\/(apps|libs)\/([^/]+)/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|libs)\//, '$1/')}:${lineNumber}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + ms);
}
const top = Number(topArg ?? 25);
const show = (title: string, map: Map<string, number>): void => {
  process.stdout.write(`\n${title} (of ${total.toFixed(0)} ms sampled)\n`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}\n`);
};
show('self time by package', byPackage);
show('self time by function', byFunction);
