/**
 * The Connect dialog asks the end user for the connector's required attributes the app did not
 * pass (label, description, pattern checked as they type), then signs in at the provider (or shows
 * a typed connector's credential form); the connection keeps the values. The session routes behind it refuse a sign-in before them.
 */
import { DataSource } from 'typeorm';
import type { Page } from 'playwright-core';
import { CredentialBrokerClient } from '@cb/sdk';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { Gateway } from '../connect/connect-helpers';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { launchBrowser, screenshot, TestBrowser } from './browser';

describe('Connect dialog: required attributes asked of the end user', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let browser: TestBrowser;
  let broker: CredentialBrokerClient;
  let gateway: Gateway;
  let connectorId: string;

  const asSession = (token: string) => ({ key: null, headers: { 'x-connect-session': token } });

  beforeAll(async () => {
    system = await startSystem();
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'cb-attributes', client_secret: 'attributes-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    const { apiKey } = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'Attributes Co');
    broker = new CredentialBrokerClient({ baseUrl: system.urls.gateway, apiKey });
    gateway = new Gateway(system.urls.gateway, apiKey);
    const connector = await broker.connectors.create({
      slug: 'regional',
      name: 'Regional OAuth',
      config: {
        mode: 'OAUTH2',
        authorizationUrl: sandbox.urls.authorization,
        tokenUrl: sandbox.urls.token,
        clientId: 'cb-attributes',
        clientSecret: 'attributes-secret',
        scopes: ['openid', 'offline_access'],
        authorizationParams: { prompt: 'consent' },
        requiredAttributes: [
          { key: 'region', label: 'Region', description: 'Two lowercase letters, e.g. eu', pattern: '[a-z]{2}' },
          { key: 'site', label: 'Site' },
        ],
      },
    });
    await broker.connectors.activate(connector.id);
    connectorId = connector.id;
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    await system?.stop();
  });

  it('opens a session without the attributes, refuses a sign-in until they are given, and checks each one given', async () => {
    const session = await broker.connectSessions.create({ connectorId, endUserId: 'api-user', attributes: { site: 'main' } });
    expect(session.missingAttributes).toEqual(['region']);
    expect(session.authorizationUrl).toBeUndefined();

    const early = await gateway.call<{ error: { code: string; details: { missing: string[] } } }>('POST', '/v1/connect/authorize', asSession(session.sessionToken));
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'attributes_required', details: { missing: ['region'] } });
    const view = await gateway.call<{ missingAttributes: string[]; connector: { requiredAttributes: Array<{ key: string; pattern: string | null }> } }>('GET', '/v1/connect/session', asSession(session.sessionToken));
    expect(view.body.missingAttributes).toEqual(['region']);
    expect(view.body.connector.requiredAttributes.map((attribute) => [attribute.key, attribute.pattern])).toEqual([
      ['region', '[a-z]{2}'],
      ['site', null],
    ]);

    const paths = async (attributes: Record<string, string>): Promise<string[]> => {
      const answer = await gateway.call<{ error: { details: { errors: Array<{ path: string }> } } }>('POST', '/v1/connect/attributes', { ...asSession(session.sessionToken), body: { attributes } });
      expect(answer.status).toBe(400);
      return answer.body.error.details.errors.map((error) => error.path);
    };
    expect(await paths({ region: 'EU1' })).toEqual(['attributes.region']);
    expect(await paths({ region: 'eu', site: 'other' })).toEqual(['attributes.site']);
    expect(await paths({ region: 'eu', colour: 'red' })).toEqual(['attributes.colour']);

    const accepted = await gateway.call<{ authorizationUrl: string }>('POST', '/v1/connect/attributes', { ...asSession(session.sessionToken), body: { attributes: { region: 'eu' } } });
    expect(accepted.status).toBe(200);
    expect(new URL(accepted.body.authorizationUrl).origin).toBe(new URL(sandbox.urls.authorization).origin);
    const again = await gateway.call('POST', '/v1/connect/attributes', { ...asSession(session.sessionToken), body: { attributes: { region: 'us' } } });
    expect(again.status).toBe(400);
  });

  it('asks the end user in the dialog, checking the pattern as they type, then connects with the values', async () => {
    const session = await broker.connectSessions.create({ connectorId, endUserId: 'dialog-user' });
    expect(session.missingAttributes).toEqual(['region', 'site']);
    const dialog: Page = await browser.context.newPage();
    await dialog.goto(broker.connectSessions.dialogUrl(session, system.urls.gateway));

    const region = dialog.locator('#attribute-region');
    await region.waitFor();
    await expect(dialog.getByText('Two lowercase letters, e.g. eu').isVisible()).resolves.toBe(true);
    await region.pressSequentially('EU1');
    await dialog.getByText('Region does not have the expected format.').waitFor();
    expect(await region.getAttribute('aria-invalid')).toBe('true');
    await screenshot(dialog, 'connect-attributes-pattern');
    await region.fill('eu');
    await dialog.getByText('Region does not have the expected format.').waitFor({ state: 'hidden' });
    expect(await region.getAttribute('aria-invalid')).toBeNull();

    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.getByText('Site is required.').waitFor();
    await dialog.locator('#attribute-site').fill('main');
    await dialog.getByRole('button', { name: 'Continue' }).click();

    const connect = dialog.getByRole('button', { name: 'Connect Regional OAuth' });
    await connect.waitFor();
    const [popup] = await Promise.all([browser.context.waitForEvent('page'), connect.click()]);
    await popup.locator('#username').fill('carol');
    await popup.locator('#password').fill('password');
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.getByRole('button', { name: 'Allow' }).waitFor();
    const closed = popup.waitForEvent('close', { timeout: 30_000 });
    await popup.getByRole('button', { name: 'Allow' }).click({ noWaitAfter: true }).catch(() => undefined);
    await closed;
    await dialog.locator('#connect-result[data-result="success"]').waitFor({ timeout: 30_000 });
    await screenshot(dialog, 'connect-attributes-success');

    const connection = await broker.connections.get(session.connectionId);
    expect(connection).toMatchObject({ status: 'active', attributes: { region: 'eu', site: 'main' } });
  });

  it('asks for a typed connector\'s attribute before its credential form, and the connection keeps it', async () => {
    const typed = await broker.connectors.create({
      slug: 'per-account-key',
      name: 'Per-account key',
      config: { mode: 'API_KEY', apiBaseUrl: 'https://{attr.account}.api.example.com', requiredAttributes: [{ key: 'account', label: 'Account', pattern: '[a-z]+' }] },
    });
    await broker.connectors.activate(typed.id);
    const session = await broker.connectSessions.create({ connectorId: typed.id, endUserId: 'typed-dialog-user' });
    expect(session.missingAttributes).toEqual(['account']);
    const dialog: Page = await browser.context.newPage();
    await dialog.goto(broker.connectSessions.dialogUrl(session, system.urls.gateway));
    await dialog.locator('#attribute-account').fill('acme');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    const form = dialog.locator('#credentials-form');
    await form.waitFor();
    await form.locator('input').first().fill('typed-dialog-key-0123456789');
    await dialog.locator('#submit-credentials').click();
    await dialog.locator('#connect-result[data-result="success"]').waitFor({ timeout: 30_000 });
    expect(await broker.connections.get(session.connectionId)).toMatchObject({ status: 'active', attributes: { account: 'acme' } });
  });

  it('reported no script errors or content security policy violations', () => {
    expect(browser.pageErrors.filter((message) => !/Failed to load resource/.test(message))).toEqual([]);
  });
});
