/**
 * Prints a benchmark report (JSON) as Markdown: the machine, then one row per figure with the
 * broker, the floor, the ratio and the busiest process. For docs/PERFORMANCE.md.
 *   ts-node bench/report-markdown.ts <report.json>
 */
import { readFileSync } from 'node:fs';
import type { ScenarioResult } from './lib/report';

interface Report {
  startedAt: string;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  results: ScenarioResult[];
  idleCpu?: { processes: Array<{ process: string; cores: number }> };
}

const file = process.argv[2];
if (!file) throw new Error('usage: report-markdown <report.json>');
const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const m = report.machine;
const lines = [
  `Run of ${report.startedAt} (${String(report.settings.mode)} mode): ${String(m.cpuModel)}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB, ${String(m.os)}, Node ${String(m.node)}, Kafka ${String(m.kafka)}, ${String(m.postgres).split(' on ')[0]}; load average ${JSON.stringify(m.loadAverageAtStart)} at the start, ${JSON.stringify(m.loadAverageAtEnd)} at the end.`,
  '',
  '| scenario | figure | broker | floor | ratio | busiest process during the broker\'s part |',
  '|---|---|---:|---:|---:|---|',
];
for (const r of report.results) {
  r.figures.forEach((f, i) => lines.push(`| ${i === 0 ? r.title : ''} | ${f.name} (${f.unit}) | ${fmt(f.value)} | ${fmt(f.floor)} | ${f.ratio.toFixed(2)}x | ${i === 0 ? r.bottleneck : ''} |`));
}
if (report.idleCpu) lines.push('', `Idle (nothing asked of it) the system used: ${report.idleCpu.processes.filter((p) => p.cores > 0).map((p) => `${p.process} ${p.cores.toFixed(2)}`).join(', ')} cores.`);
process.stdout.write(`${lines.join('\n')}\n`);
