/**
 * The settings UI's webhook screens in headless Chromium against the running system: the endpoints
 * of the workspace with their status, and an endpoint's recent deliveries with the outcome of their
 * last attempt; a delivery sent again from the page reaches the receiver under the same webhook-id.
 */
import { DataSource } from 'typeorm';
import type { Page } from 'playwright-core';
import { CredentialBrokerClient } from '@cb/sdk';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { WebhookReceiver } from '../webhooks/webhook-receiver';
import { launchBrowser, screenshot, TestBrowser } from './browser';

describe('web UI: webhook endpoints and their deliveries', () => {
  let system: RunningSystem;
  let browser: TestBrowser;
  let broker: CredentialBrokerClient;
  let receiver: WebhookReceiver;
  let apiKey: string;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    system = await startSystem({ serviceEnv: { 'connector-config': { WEBHOOK_RETRY_SCHEDULE: '100ms', WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES: '1' } } });
    base = system.urls.gateway;
    ({ apiKey } = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'UI Hooks Co'));
    broker = new CredentialBrokerClient({ baseUrl: base, apiKey });
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(15_000);
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await receiver?.stop();
  });

  it('lists the endpoints, shows the deliveries and their outcomes, and sends one again', async () => {
    const working = await broker.webhookEndpoints.create({ url: receiver.url('/ok'), eventTypes: ['connector.activated'], description: 'Billing service' });
    const broken = await broker.webhookEndpoints.create({ url: receiver.url('/down'), eventTypes: ['connector.activated'] });
    const connector = await broker.connectors.create({ slug: 'ui-hooks', name: 'UI hooks', config: { mode: 'BEARER' } });
    await broker.connectors.activate(connector.id);
    await waitFor(async () => (await broker.webhookEndpoints.get(broken.id)).status === 'failing', { timeoutMs: 30_000, description: 'the broken endpoint disabled as failing' });
    const delivered = await waitFor(async () => (await broker.webhookEndpoints.deliveries(working.id, { status: 'succeeded' })).items[0], { timeoutMs: 30_000, description: 'the delivery accepted' });

    await page.goto(`${base}/ui/`);
    await page.getByLabel('Workspace API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connectors' }).waitFor();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    const workingRow = page.locator(`[data-endpoint-id="${working.id}"]`);
    const brokenRow = page.locator(`[data-endpoint-id="${broken.id}"]`);
    await workingRow.waitFor();
    expect(await workingRow.locator('[data-status]').textContent()).toBe('Active');
    expect(await workingRow.textContent()).toContain('Billing service');
    expect(await brokenRow.locator('[data-status]').textContent()).toBe('Failing (disabled)');
    await screenshot(page, 'webhooks-endpoints');

    await brokenRow.getByRole('link').click();
    const failedRow = page.locator('#webhook-delivery-table tbody tr').first();
    await failedRow.waitFor();
    expect(await failedRow.locator('[data-status]').textContent()).toBe('Failed');
    await waitFor(async () => /HTTP error \(500\)/.test((await failedRow.locator('[data-outcome]').textContent()) ?? ''), { description: 'the last attempt of the failed delivery' });

    await page.goto(`${base}/ui/#/webhooks/${working.id}`);
    const row = page.locator(`[data-delivery-id="${delivered.id}"]`);
    await row.waitFor();
    expect(await row.locator('[data-status]').textContent()).toBe('Delivered');
    expect(await row.textContent()).toContain('connector.activated');
    await waitFor(async () => /^Accepted \(200\), \d+ ms$/.test((await row.locator('[data-outcome]').textContent()) ?? ''), { description: 'the outcome of the accepted attempt' });
    await screenshot(page, 'webhooks-deliveries');

    await row.getByRole('button', { name: 'Send again' }).click();
    await page.getByText('The delivery will be sent again.').waitFor();
    await waitFor(() => receiver.at('/ok').filter((d) => d.webhookId === delivered.id).length === 2, { description: 'the delivery sent again' });
    expect(browser.pageErrors).toEqual([]);
  });
});
