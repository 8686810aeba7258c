/** The run's result: types, the progress line, the terminal table and the JSON file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CpuReport } from './sampler';

export interface Figure {
  name: string;
  unit: string;
  /** What the broker achieved. */
  value: number;
  /** The same work done directly, measured in the same run. */
  floor: number;
  /** How many times the floor's cost the broker pays: time / time, or floor rate / broker rate. Above 1 is slower. */
  ratio: number;
  /** `lower` for times, `higher` for rates. */
  better: 'lower' | 'higher';
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** The headline figure (also the first of `figures`). */
  figure: number;
  floor: number;
  ratio: number;
  unit: string;
  figures: Figure[];
  /** What was measured, in words: what the figure and the floor include. */
  measures: string;
  details: Record<string, unknown>;
  /** CPU per process while the broker did the work, and while the floor did. */
  cpu: CpuReport;
  floorCpu?: CpuReport;
  /** The busiest process during the broker's part, with its share. */
  bottleneck: string;
  checks: Record<string, number | boolean>;
}

export function figure(name: string, unit: string, value: number, floor: number, better: 'lower' | 'higher'): Figure {
  const ratio = better === 'lower' ? value / floor : floor / value;
  return { name, unit, value: round3(value), floor: round3(floor), ratio: Math.round(ratio * 100) / 100, better };
}

function round3(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000;
}

export function scenarioResult(input: Omit<ScenarioResult, 'figure' | 'floor' | 'ratio' | 'unit' | 'bottleneck'>): ScenarioResult {
  const head = input.figures[0];
  if (!head) throw new Error(`${input.id}: no figures`);
  const top = input.cpu.processes[0];
  return {
    ...input,
    figure: head.value,
    floor: head.floor,
    ratio: head.ratio,
    unit: head.unit,
    bottleneck: top
      ? `${top.process} ${top.cores.toFixed(2)} cores; run ${input.cpu.totalCores.toFixed(2)}, other load ${input.cpu.otherProcessesCores.toFixed(2)} of ${input.cpu.machineBusyCores.toFixed(2)} busy`
      : 'unknown',
  };
}

let lastLine = 0;
const tty = process.stderr.isTTY === true;

/** One progress line, rewritten in place on a terminal, at most every 5 s otherwise. */
export function progress(text: string, force = false): void {
  if (tty) {
    process.stderr.write(`\r\x1b[2K[bench] ${text}`);
    return;
  }
  const now = Date.now();
  if (!force && now - lastLine < 5000) return;
  lastLine = now;
  process.stderr.write(`[bench] ${text}\n`);
}

export function endProgress(): void {
  if (tty) process.stderr.write('\r\x1b[2K');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function table(results: ScenarioResult[]): string {
  const rows: string[][] = [['scenario', 'figure', 'broker', 'floor', 'ratio', 'busiest process (broker part)']];
  for (const r of results) {
    r.figures.forEach((f, i) => {
      rows.push([i === 0 ? r.title : '', `${f.name} (${f.unit})`, fmt(f.value), fmt(f.floor), `${f.ratio.toFixed(2)}x`, i === 0 ? r.bottleneck : '']);
    });
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function writeJson(file: string, report: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
