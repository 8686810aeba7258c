/**
 * The settings UI's connections table in headless Chromium against the running system: each
 * connection's end user (display name, e-mail, ID) and tags from its profile (ADR 0017), and
 * filters by tag and by end user that narrow the list the way the API does.
 */
import { DataSource } from 'typeorm';
import type { Page } from 'playwright-core';
import { CredentialBrokerClient } from '@cb/sdk';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { launchBrowser, screenshot, TestBrowser } from './browser';

describe('web UI: the connections of a connector', () => {
  let system: RunningSystem;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let apiKey: string;
  let connectorId: string;

  const rows = () => page.locator('#connection-table tbody tr');
  const shownUsers = async (): Promise<string[]> => (await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-end-user-id') ?? ''))).sort();
  const usersBecome = (users: string[]): Promise<true> =>
    waitFor(async () => ((await shownUsers()).join() === users.join() ? true : undefined), { timeoutMs: 10_000, description: `the table to show ${users.join(', ')}` });

  beforeAll(async () => {
    system = await startSystem();
    base = system.urls.gateway;
    ({ apiKey } = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'UI Connections Co'));
    const broker = new CredentialBrokerClient({ baseUrl: base, apiKey });
    const connector = await broker.connectors.create({ slug: 'ui-connections', name: 'UI connections', config: { mode: 'API_KEY', headerName: 'X-Key' } });
    await broker.connectors.activate(connector.id);
    connectorId = connector.id;
    await broker.connections.import({ connectorId, endUser: { id: 'ada', displayName: 'Ada Lovelace', email: 'ada@example.com' }, tags: { plan: 'enterprise', region: 'eu' }, credential: { apiKey: 'k-ada' } });
    await broker.connections.import({ connectorId, endUser: { id: 'alan', displayName: 'Alan Turing' }, tags: { plan: 'free' }, credential: { apiKey: 'k-alan' } });
    await broker.connections.import({ connectorId, endUser: { id: 'grace' }, credential: { apiKey: 'k-grace' } });
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(15_000);
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it("shows each connection's end user and tags", async () => {
    await page.goto(`${base}/ui/`);
    await page.getByLabel('Workspace API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connectors' }).waitFor();
    await page.goto(`${base}/ui/#/connectors/${connectorId}`);
    await page.locator('#connection-table').waitFor();
    expect(await shownUsers()).toEqual(['ada', 'alan', 'grace']);

    const ada = page.locator('#connection-table tr[data-end-user-id="ada"]');
    expect(await ada.locator('[data-display-name]').textContent()).toBe('Ada Lovelace');
    expect(await ada.locator('[data-end-user-details]').textContent()).toBe('ada@example.com · ada');
    expect(await ada.locator('[data-tag]').evaluateAll((tags) => tags.map((t) => t.textContent))).toEqual(['plan: enterprise', 'region: eu']);
    const alan = page.locator('#connection-table tr[data-end-user-id="alan"]');
    expect(await alan.locator('[data-display-name]').textContent()).toBe('Alan Turing');
    expect(await alan.locator('[data-end-user-details]').textContent()).toBe('alan');
    // no details given: the ID stands for the name, and there are no tags to show
    const grace = page.locator('#connection-table tr[data-end-user-id="grace"]');
    expect(await grace.locator('[data-display-name]').textContent()).toBe('grace');
    expect(await grace.locator('[data-end-user-details]').count()).toBe(0);
    expect(await grace.locator('[data-tag]').count()).toBe(0);
    await screenshot(page, 'connections-with-profiles');
  });

  it('filters by tag and by end user, explains a malformed tag, and clears the filters', async () => {
    const filters = page.getByRole('search', { name: 'Filter connections' });
    await filters.getByLabel('Tag (key:value)').fill('plan:enterprise');
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    await usersBecome(['ada']);
    await screenshot(page, 'connections-filtered-by-tag');

    await filters.getByLabel('Tag (key:value)').fill('');
    await filters.getByLabel('End user', { exact: true }).fill('alan');
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    await usersBecome(['alan']);

    // both together narrow further: Alan is on the free plan
    await filters.getByLabel('Tag (key:value)').fill('plan:enterprise');
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.locator('#no-connections').waitFor();
    expect(await page.locator('#no-connections').textContent()).toBe('No connection matches these filters.');

    await filters.getByLabel('Tag (key:value)').fill('enterprise');
    await filters.getByRole('button', { name: 'Filter', exact: true }).click();
    const tagInput = filters.getByLabel('Tag (key:value)');
    expect(await tagInput.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await tagInput.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`#${describedBy}`).textContent()).toBe('Write the tag as key:value, e.g. plan:enterprise.');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await usersBecome(['ada', 'alan', 'grace']);
  });

  it('reported no script errors or content security policy violations', () => {
    expect(browser.pageErrors.filter((message) => !/Failed to load resource/.test(message))).toEqual([]);
  });
});
