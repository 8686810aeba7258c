/**
 * The settings UI's webhook screens in headless Chromium against the running system: the endpoints
 * of the workspace with their status, and an endpoint's recent deliveries with the outcome of their
 * last attempt; a delivery sent again from the page reaches the receiver under the same webhook-id;
 * an endpoint registered, changed, disabled, given a new secret and deleted from the page.
 */
import { DataSource } from 'typeorm';
import type { Page } from 'playwright-core';
import { CredentialBrokerClient } from '@cb/sdk';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { bodyOf, verifies, WebhookReceiver } from '../webhooks/webhook-receiver';
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

  const signIn = async (): Promise<void> => {
    await page.goto(`${base}/ui/`);
    await page.getByLabel('Workspace API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connectors' }).waitFor();
  };

  it('lists the endpoints, shows the deliveries and their outcomes, and sends one again', async () => {
    const working = await broker.webhookEndpoints.create({ url: receiver.url('/ok'), eventTypes: ['connector.activated'], description: 'Billing service' });
    const broken = await broker.webhookEndpoints.create({ url: receiver.url('/down'), eventTypes: ['connector.activated'] });
    const connector = await broker.connectors.create({ slug: 'ui-hooks', name: 'UI hooks', config: { mode: 'BEARER' } });
    await broker.connectors.activate(connector.id);
    await waitFor(async () => (await broker.webhookEndpoints.get(broken.id)).status === 'failing', { timeoutMs: 30_000, description: 'the broken endpoint disabled as failing' });
    const delivered = await waitFor(async () => (await broker.webhookEndpoints.deliveries(working.id, { status: 'succeeded' })).items[0], { timeoutMs: 30_000, description: 'the delivery accepted' });

    await signIn();
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

  it('registers an endpoint, shows its secret once, then changes, disables, rotates and deletes it', async () => {
    page = await browser.context.newPage();
    await signIn();
    await page.goto(`${base}/ui/#/webhooks`);
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    const form = page.locator('form.webhook-endpoint-form');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    expect(await form.locator('[data-error-path="url"]').textContent()).toContain('Enter the URL');

    await form.getByLabel('URL').fill('http://hooks.example.com/in');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await form.locator('[data-error-path="url"]').waitFor();
    expect(await form.locator('[data-error-path="url"]').textContent()).toContain('https');

    await form.getByLabel('URL').fill(receiver.url('/from-ui'));
    await form.getByLabel('Description').fill('Made in the UI');
    for (const type of ['connection.created', 'connection.needs_reconnect', 'connection.deleted']) await form.getByRole('checkbox', { name: new RegExp(type.replace('.', '\\.')) }).uncheck();
    await form.getByRole('checkbox', { name: /connector\.activated/ }).check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.locator('[data-secret]').inputValue();
    expect(secret).toMatch(/^whsec_/);
    const listed = (await broker.webhookEndpoints.list()).find((endpoint) => endpoint.url === receiver.url('/from-ui'));
    expect(listed).toMatchObject({ description: 'Made in the UI', eventTypes: ['connector.activated'], enabled: true });
    const id = (listed as { id: string }).id;
    await page.locator(`[data-endpoint-id="${id}"]`).waitFor();
    expect(JSON.stringify(await broker.webhookEndpoints.get(id))).not.toContain(secret);

    // the secret shown is the one deliveries are signed with
    const connector = await broker.connectors.create({ slug: 'ui-made-endpoint', name: 'UI made endpoint', config: { mode: 'BEARER' } });
    await broker.connectors.activate(connector.id);
    const delivered = await waitFor(() => receiver.at('/from-ui').find((d) => bodyOf(d).data.connectorId === connector.id), { timeoutMs: 30_000, description: 'the delivery to the UI-made endpoint' });
    expect(verifies(secret, delivered)).toBe(true);
    await screenshot(page, 'webhooks-endpoint-added');

    await page.locator(`[data-endpoint-id="${id}"]`).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: receiver.url('/from-ui') }).waitFor();
    const change = page.locator('form.webhook-endpoint-form');
    await change.getByRole('checkbox', { name: /connector\.deactivated/ }).check();
    await change.getByLabel('Description').fill('Changed in the UI');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('The endpoint was saved.').waitFor();
    expect(await broker.webhookEndpoints.get(id)).toMatchObject({ description: 'Changed in the UI', eventTypes: ['connector.activated', 'connector.deactivated'] });

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect((await broker.webhookEndpoints.get(id)).enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();

    await page.getByRole('button', { name: 'New signing secret' }).click();
    const rotated = await page.locator('[data-secret]').inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    expect((await broker.webhookEndpoints.get(id)).previousSecretExpiresAt).not.toBeNull();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await expect(broker.webhookEndpoints.get(id)).rejects.toMatchObject({ status: 404 });
    // Chromium logs the refused http URL's 400 as "Failed to load resource"; nothing else may be logged
    expect(browser.pageErrors.filter((message) => !/Failed to load resource: the server responded with a status of 400/.test(message))).toEqual([]);
  });
});
