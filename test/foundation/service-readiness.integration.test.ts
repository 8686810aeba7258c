import { KEYRING } from '@cb/service-runtime';
import { startSystem, RunningSystem, SERVICES_WITHOUT_KEYRING, ServiceName } from '../support/system';
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

  it('runs the gateway (the public edge) and token-refresh without the vault keyring: they are given no keys and hold none', () => {
    const holdsKeyring = (name: ServiceName): boolean => {
      try {
        system.app(name).get(KEYRING, { strict: false });
        return true;
      } catch {
        return false;
      }
    };
    expect(Object.fromEntries(Object.keys(system.urls).map((name) => [name, holdsKeyring(name as ServiceName)]))).toEqual({
      'connector-config': true,
      'oauth-authorization': true,
      'token-issuance': true,
      'token-refresh': false,
      gateway: false,
    });
    expect(SERVICES_WITHOUT_KEYRING).toEqual(['gateway', 'token-refresh']);
  });
});
