import { startSystem, RunningSystem } from '../support/system';
import { waitFor } from '../harness';

describe('every service', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('is live and reports ready once its database and Kafka answer', async () => {
    for (const [name, url] of Object.entries(system.urls)) {
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const ready = await waitFor(async () => {
        const response = await fetch(`${url}/health/ready`);
        return response.status === 200 ? ((await response.json()) as { checks: Record<string, string> }) : undefined;
      }, { description: `${name} ready` });
      expect(Object.values(ready.checks).every((c) => c === 'ok')).toBe(true);
      expect(Object.keys(ready.checks)).toEqual(name === 'gateway' ? ['database'] : ['database', 'kafka']);
    }
  });
});
