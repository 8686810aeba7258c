/** NODE_VERSION for `npm start` / `npm test` (scripts/node-version.cjs), without fetching any Node. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { handOverToRequestedNode, planNodeSwitch, SUPPORTED_MAJORS } from '../../scripts/node-version.cjs';

const ROOT = join(__dirname, '..', '..');

describe('NODE_VERSION switch', () => {
  it('does nothing when NODE_VERSION is not set, or names the running Node', () => {
    expect(planNodeSwitch({ requested: undefined, running: 'v20.20.2', root: '/repo' })).toBeUndefined();
    expect(planNodeSwitch({ requested: '', running: 'v20.20.2', root: '/repo' })).toBeUndefined();
    expect(planNodeSwitch({ requested: '20', running: 'v20.20.2', root: '/repo' })).toBeUndefined();
    expect(planNodeSwitch({ requested: '20.20.2', running: 'v20.20.2', root: '/repo' })).toBeUndefined();
  });

  it('runs another supported version from its own folder under .cache', () => {
    expect(planNodeSwitch({ requested: '24', running: 'v20.20.2', root: '/repo' })).toEqual({
      spec: '24',
      major: 24,
      dir: '/repo/.cache/node-24',
      binary: '/repo/.cache/node-24/node_modules/node/bin/node',
    });
    expect(planNodeSwitch({ requested: 'v22.11.0', running: 'v22.23.3', root: '/repo' })).toMatchObject({ spec: '22.11.0', major: 22, binary: '/repo/.cache/node-22.11.0/node_modules/node/bin/node' });
  });

  it('refuses an unsupported or malformed version, naming the supported ones', () => {
    expect(SUPPORTED_MAJORS).toEqual([20, 22, 24]);
    expect(() => planNodeSwitch({ requested: '18', running: 'v20.20.2', root: '/repo' })).toThrow('NODE_VERSION=18: Node 18 is not supported; use 20, 22, 24');
    expect(() => planNodeSwitch({ requested: 'lts', running: 'v20.20.2', root: '/repo' })).toThrow('NODE_VERSION must be a major version (20, 22, 24) or an exact version such as 24.11.0, not "lts"');
    expect(() => planNodeSwitch({ requested: '24.1', running: 'v20.20.2', root: '/repo' })).toThrow(/not "24.1"/);
  });

  it('is what `npm test` goes through: a refusal stops it before any step, the running version carries on', () => {
    const env = { ...process.env };
    delete env.CB_NODE_SWITCHED_FROM;
    const refused = spawnSync(process.execPath, ['scripts/test.mjs', '--version-check'], { cwd: ROOT, env: { ...env, NODE_VERSION: '19' }, encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('Node 19 is not supported; use 20, 22, 24');
    expect(refused.stdout).toBe('');

    const running = process.version.slice(1).split('.')[0] ?? '';
    const same = spawnSync(process.execPath, ['scripts/test.mjs', '--version-check'], { cwd: ROOT, env: { ...env, NODE_VERSION: running }, encoding: 'utf8' });
    expect(same.status).toBe(0);
    expect(same.stdout).toBe(`node ${process.version} (${process.execPath})\n`);
  });

  it('re-runs the script under the Node found in .cache, first in PATH, and passes its exit code on', async () => {
    const root = mkdtempSync(join(tmpdir(), 'node-switch-'));
    try {
      const other = SUPPORTED_MAJORS.find((major) => `v${major}` !== process.version.split('.')[0]) ?? 0;
      const plan = planNodeSwitch({ requested: String(other), running: process.version, root });
      if (!plan) throw new Error('expected a plan');
      // Stands in for the fetched Node, so nothing is downloaded: it is a link to this one.
      mkdirSync(dirname(plan.binary), { recursive: true });
      symlinkSync(process.execPath, plan.binary);
      const script = join(root, 'report.js');
      const report = join(root, 'report.json');
      writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ argv0: process.argv0, args: process.argv.slice(2), path: process.env.PATH.split(':')[0] })); process.exit(7);`);
      const logs: string[] = [];

      const code = await handOverToRequestedNode({ root, script, args: ['--flag'], env: { PATH: '/usr/bin', NODE_VERSION: String(other) }, log: (m) => logs.push(m) });

      expect(code).toBe(7);
      expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual({ argv0: plan.binary, args: ['--flag'], path: dirname(plan.binary) });
      expect(logs.join('\n')).not.toContain('fetching');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
