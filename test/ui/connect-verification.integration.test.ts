/**
 * The Connect dialog in headless Chromium for an API key connector with a verification request: a
 * key the provider's API (a local upstream) refuses ends in the provider's status and a reason the
 * end user can read, never the key; the key it accepts connects.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { CredentialBrokerClient } from '@cb/sdk';
import { DataSource } from 'typeorm';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { RunningSystem, startSystem } from '../support/system';
import { launchBrowser, screenshot, TestBrowser } from './browser';

const GOOD_KEY = `sk_good_${randomBytes(12).toString('hex')}`;
const BAD_KEY = `sk_bad_${randomBytes(12).toString('hex')}`;

describe('web UI: the Connect dialog shows a verification refusal', () => {
  let system: RunningSystem;
  let upstream: Server;
  let browser: TestBrowser;
  let broker: CredentialBrokerClient;
  let connectorId: string;

  /** Types the key into the dialog of a new session and waits for the outcome it shows. */
  const connectWith = async (key: string, expected: 'success' | 'failure'): Promise<{ dialog: Page; text: string }> => {
    const session = await broker.connectSessions.create({ connectorId, endUserId: `ui-${randomBytes(3).toString('hex')}` });
    const dialog = await browser.context.newPage();
    await dialog.goto(broker.connectSessions.dialogUrl(session, system.urls.gateway));
    await dialog.getByRole('heading', { name: 'Connect Verified API' }).waitFor();
    await dialog.getByLabel('API key').fill(key);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    const result = dialog.locator('#connect-result');
    await result.waitFor({ timeout: 30_000 });
    const text = (await result.textContent()) ?? '';
    expect({ result: await result.getAttribute('data-result'), text }).toEqual({ result: expected, text });
    return { dialog, text };
  };

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      const accepted = request.url === '/v1/me' && request.headers['x-api-key'] === GOOD_KEY;
      // a provider that echoes what it refused
      response.writeHead(accepted ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ got: request.headers['x-api-key'] }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    system = await startSystem();
    const { apiKey } = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'UI Verification Co');
    broker = new CredentialBrokerClient({ baseUrl: system.urls.gateway, apiKey });
    const created = await broker.connectors.create({
      slug: 'verified-api',
      name: 'Verified API',
      config: {
        mode: 'API_KEY',
        label: 'API key',
        apiBaseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`,
        verification: { method: 'GET', path: '/me', expectedStatus: 200 },
      },
    });
    connectorId = created.id;
    await broker.connectors.activate(connectorId);
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it("shows the provider's status and a readable reason for a refused key, and never the key", async () => {
    const { dialog } = await connectWith(BAD_KEY, 'failure');
    expect(await dialog.locator('#failure-reason').textContent()).toBe('The provider rejected the credential (401).');
    expect(await dialog.content()).not.toContain(BAD_KEY);
    await screenshot(dialog, 'connect-verification-refused');
    await dialog.close();
  });

  it('connects a key the provider accepts', async () => {
    const { dialog } = await connectWith(GOOD_KEY, 'success');
    await dialog.close();
  });

  it('reported no script errors or content security policy violations', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
