/**
 * @credential-broker/sdk as a user gets it: packed with `npm pack`, installed into an empty project,
 * and used from there against the running system, from TypeScript (ES modules, compiled by tsc in
 * strict mode against the package's declarations) and from plain JavaScript (CommonJS).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { RunningSystem, startSystem } from '../support/system';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const SDK = join(ROOT, 'libs/sdk');
const CONSUMER = join(__dirname, 'consumer');
// the versions the repository itself uses, so npm finds them in its cache
const TOOLS = ['typescript', '@types/node'].map((name) => `${name}@${(JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`);

describe('the SDK package, installed from its tarball', () => {
  let system: RunningSystem;
  let apiKey: string;
  let project: string;

  beforeAll(async () => {
    system = await startSystem({ services: ['connector-config', 'oauth-authorization', 'token-issuance', 'gateway'] });
    ({ apiKey } = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'Package Co'));
    project = mkdtempSync(join(tmpdir(), 'sdk-consumer-'));
    await run('npm', ['pack', '--silent', '--pack-destination', project], { cwd: SDK });
    const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack left no tarball in ${project}`);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tarball}`, ...TOOLS], { cwd: project });
    for (const file of readdirSync(CONSUMER)) copyFileSync(join(CONSUMER, file), join(project, file));
  }, 240_000);

  afterAll(async () => {
    if (project) rmSync(project, { recursive: true, force: true });
    await system?.stop();
  });

  it('ships the ES module and CommonJS entries, declarations and the README, and nothing of the repository', async () => {
    const { stdout } = await run('tar', ['-tzf', join(project, readdirSync(project).find((name) => name.endsWith('.tgz')) as string)]);
    const files = stdout.trim().split('\n').sort();
    expect(files).toEqual(expect.arrayContaining(['package/README.md', 'package/package.json', 'package/dist/index.js', 'package/dist/index.mjs', 'package/dist/index.d.ts', 'package/dist/index.d.mts']));
    expect(files.filter((file) => !file.startsWith('package/dist/') && !['package/README.md', 'package/package.json'].includes(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.test.js'))).toEqual([]);
  });

  it('connects from TypeScript with ES modules, type-checked against the package', async () => {
    await run(join(project, 'node_modules/.bin/tsc'), ['--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--skipLibCheck', 'false', 'connect.mts'], { cwd: project });
    const { stdout } = await run(process.execPath, ['connect.mjs', system.urls.gateway, apiKey, 'package-typescript'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ submitted: 202, status: 'completed', tokenMatches: true, notFound: 'not_found' });
  }, 120_000);

  it('connects from plain JavaScript with require', async () => {
    const { stdout } = await run(process.execPath, ['connect.cjs', system.urls.gateway, apiKey, 'package-javascript'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ submitted: 202, status: 'completed', tokenMatches: true, notFound: 'not_found' });
  }, 120_000);
});
