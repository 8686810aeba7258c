import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

function startProcess(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/token-issuance/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'tsconfig.json', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('a service started with bad configuration', () => {
  it('stops at once and names every missing or malformed variable', () => {
    const { status, stderr } = startProcess({ DATABASE_URL: 'mysql://nope', PORT: 'eighty', VAULT_KEYS: 'k1:c2hvcnQ=', KAFKA_TOPIC_PARTITIONS: '0', DATABASE_POOL_SIZE: '1' });
    expect(status).toBe(1);
    expect(stderr).toContain('PORT must be an integer, got "eighty"');
    expect(stderr).toContain('DATABASE_URL must use postgres: or postgresql:');
    expect(stderr).toContain('KAFKA_BROKERS is required but not set');
    expect(stderr).toContain('VAULT_KEYS: key "k1" must be 32 bytes');
    expect(stderr).toMatch(/KAFKA_TOPIC_PARTITIONS must be .*1/);
    expect(stderr).toMatch(/DATABASE_POOL_SIZE must be .*2/);
  });
});
