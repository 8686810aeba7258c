#!/usr/bin/env node
// `npm test`: the whole suite, in the order that fails fastest: lint, type check, dependency
// rules, unit tests, then integration tests on a real Kafka broker and PostgreSQL.
// NODE_VERSION=22 (or 20, 24) runs it all under that Node (scripts/node-version.cjs);
// `--version-check` only reports which Node it would run under.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handOverToRequestedNode } from './node-version.cjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const exitCode = await handOverToRequestedNode({ root: ROOT, script: fileURLToPath(import.meta.url), args: process.argv.slice(2) }).catch((error) => {
  process.stderr.write(`[test] ${error.message}\n`);
  return 2;
});
if (exitCode !== undefined) process.exit(exitCode);
if (process.argv.includes('--version-check')) {
  process.stdout.write(`node ${process.version} (${process.execPath})\n`);
  process.exit(0);
}
const REPORTS = join(ROOT, 'test-artifacts');
const started = Date.now();
const totals = { passed: 0, failed: 0 };

function step(name, command, args) {
  const t0 = Date.now();
  process.stderr.write(`\n[test] ${name}…\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(`[test] ${name} failed after ${seconds}s\n`);
    return false;
  }
  process.stderr.write(`[test] ${name} passed in ${seconds}s\n`);
  return true;
}

function countJest(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
}

const marker = join(ROOT, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(join(ROOT, 'package-lock.json')).mtimeMs) {
  if (!step('install dependencies (npm ci)', 'npm', ['ci', '--no-audit', '--no-fund'])) process.exit(1);
}
mkdirSync(REPORTS, { recursive: true });

const jest = join(ROOT, 'node_modules', '.bin', 'jest');
let ok =
  step('lint', 'npm', ['run', '--silent', 'lint']) &&
  step('type check', 'npm', ['run', '--silent', 'typecheck']) &&
  step('dependency rules', 'npm', ['run', '--silent', 'deps:check']);
if (ok) {
  ok = step('unit tests', jest, ['--selectProjects', 'unit', '--json', '--outputFile', join(REPORTS, 'unit.json')]);
  countJest(join(REPORTS, 'unit.json'));
}
if (ok) {
  ok = step('integration tests', jest, ['--selectProjects', 'integration', '--runInBand', '--forceExit', '--json', '--outputFile', join(REPORTS, 'integration.json')]);
  countJest(join(REPORTS, 'integration.json'));
}
const minutes = ((Date.now() - started) / 60000).toFixed(1);
process.stdout.write(`\ntests: ${totals.passed} passed, ${totals.failed} failed\n`);
process.stderr.write(`[test] ${ok ? 'all steps passed' : 'FAILED'} in ${minutes} min\n`);
process.exit(ok && totals.failed === 0 && totals.passed > 0 ? 0 : 1);
