/** The memory settings every launcher gives a service process (scripts/service-memory.cjs). */
import { execFileSync } from 'node:child_process';
import { serviceMemoryEnv } from '../../scripts/service-memory.cjs';

describe('serviceMemoryEnv', () => {
  it('keeps 4 MiB semi-spaces for the services on every call, 1 MiB for the others, and two malloc arenas', () => {
    expect(serviceMemoryEnv('gateway', {})).toEqual({ NODE_OPTIONS: '--max-semi-space-size=4', MALLOC_ARENA_MAX: '2' });
    expect(serviceMemoryEnv('token-issuance', {})).toEqual({ NODE_OPTIONS: '--max-semi-space-size=4', MALLOC_ARENA_MAX: '2' });
    for (const service of ['connector-config', 'oauth-authorization', 'token-refresh']) {
      expect(serviceMemoryEnv(service, {})).toEqual({ NODE_OPTIONS: '--max-semi-space-size=1', MALLOC_ARENA_MAX: '2' });
    }
  });

  it("lets the operator's own NODE_OPTIONS and MALLOC_ARENA_MAX win", () => {
    expect(serviceMemoryEnv('token-refresh', { NODE_OPTIONS: '--max-semi-space-size=16 --enable-source-maps', MALLOC_ARENA_MAX: '8' })).toEqual({
      NODE_OPTIONS: '--max-semi-space-size=1 --max-semi-space-size=16 --enable-source-maps',
      MALLOC_ARENA_MAX: '8',
    });
  });

  it('caps the young generation of a process started with them, and an operator\'s later flag lifts the cap', () => {
    // The largest new space seen while allocating 400,000 short-lived objects: two semi-spaces.
    const newSpaceMiB = (env: Record<string, string>): number =>
      Number(
        execFileSync(process.execPath, ['-e', ALLOCATE_AND_MEASURE], { env: { ...process.env, ...env }, encoding: 'utf8' }),
      );
    expect(newSpaceMiB(serviceMemoryEnv('token-refresh', {}))).toBeLessThanOrEqual(2);
    expect(newSpaceMiB(serviceMemoryEnv('gateway', {}))).toBeLessThanOrEqual(8);
    expect(newSpaceMiB(serviceMemoryEnv('token-refresh', { NODE_OPTIONS: '--max-semi-space-size=16' }))).toBeGreaterThan(8);
  });
});

const ALLOCATE_AND_MEASURE = `
const v8 = require('v8');
let kept = [], most = 0;
for (let i = 0; i < 400000; i++) {
  kept.push({ i, s: 'x' + i });
  if (kept.length > 50000) kept = [];
  if (i % 1000 === 0) most = Math.max(most, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
}
process.stdout.write(String(most / 1048576));
`;
