/**
 * The web UI in headless Chromium against the running system (five services, real Kafka and
 * PostgreSQL) and the sandbox oidc-provider: connector settings, activation, and the Connect dialog
 * for a custom-input connector (form) and an OAuth connector (popup login and consent).
 * Screenshots of each step go to test-artifacts/ui/.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Page } from 'playwright-core';
import { CredentialBrokerClient, type ConnectSession, type CreateConnectSessionRequest } from '@cb/sdk';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { launchBrowser, screenshot, TestBrowser } from './browser';

const CLIENT_SECRET = `ui-client-secret-${randomBytes(8).toString('hex')}`;
const API_KEY_VALUE = `sk_live_${randomBytes(12).toString('hex')}`;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const intersects = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('web UI: connector settings and the Connect dialog', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let browser: TestBrowser;
  let broker: CredentialBrokerClient;
  let apiKey: string;
  let settings: Page;
  let base: string;
  let oauthConnectorId: string;
  let customConnectorId: string;

  const openSession = (request: CreateConnectSessionRequest): Promise<ConnectSession> => broker.connectSessions.create(request);

  const openEditor = async (id: string, name: string): Promise<void> => {
    await settings.goto(`${base}/ui/#/connectors/${id}`);
    await settings.getByRole('heading', { level: 1, name }).waitFor();
  };

  const createFromScratch = async (name: string, modeLabel: string): Promise<string> => {
    await settings.goto(`${base}/ui/#/`);
    await settings.getByRole('link', { name: 'New connector' }).click();
    await settings.getByText('From scratch', { exact: true }).click();
    await settings.locator('[data-path="name"]').fill(name);
    await settings.locator('.mode-option label', { hasText: modeLabel }).click();
    await settings.getByRole('button', { name: 'Create connector' }).click();
    await settings.getByRole('heading', { level: 1, name }).waitFor();
    return /#\/connectors\/([0-9a-f-]{36})$/.exec(settings.url())?.[1] as string;
  };

  const activationSwitch = () => settings.getByRole('switch', { name: 'Enable activation' });

  /** Checked scrolled to the top, where the save bar sticks to the window's bottom edge, and to the bottom, where it sits under the form. */
  const expectToastClearOfSaveBar = async (): Promise<void> => {
    const toast = settings.locator('#toast.toast-visible');
    for (const scrolledTo of ['top', 'bottom']) {
      await settings.evaluate(`window.scrollTo(0, ${scrolledTo === 'top' ? '0' : 'document.documentElement.scrollHeight'})`);
      await toast.waitFor();
      const [toastBox, saveBarBox] = await Promise.all([toast.boundingBox(), settings.locator('.savebar').boundingBox()]);
      if (!toastBox || !saveBarBox) throw new Error(`no bounding box for ${toastBox ? 'the save bar' : 'the toast'}`);
      expect({ scrolledTo, overlap: intersects(toastBox, saveBarBox), toastBox, saveBarBox }).toEqual({ scrolledTo, overlap: false, toastBox, saveBarBox });
    }
  };

  /** Waits for the dialog's outcome and says what it shows when it is not the one expected. */
  const dialogResult = async (dialog: Page, expected: 'success' | 'failure'): Promise<string> => {
    const result = dialog.locator('#connect-result');
    try {
      await result.waitFor({ timeout: 30_000 });
    } catch (error) {
      await screenshot(dialog, `dialog-without-result-${expected}`);
      throw new Error(`the dialog shows no result; status: ${await dialog.locator('#status').textContent()}`, { cause: error });
    }
    const text = (await result.textContent()) ?? '';
    expect({ result: await result.getAttribute('data-result'), text }).toEqual({ result: expected, text });
    return text;
  };

  /** The sandbox asks for a login only once per browser session; then straight for consent. */
  const signInIfAsked = async (popup: Page, username: string): Promise<void> => {
    await popup.locator('#username, button[name="decision"]').first().waitFor();
    if ((await popup.locator('#username').count()) === 0) return;
    await popup.locator('#username').fill(username);
    await popup.locator('#password').fill('password');
    await screenshot(popup, 'provider-login-popup');
    await popup.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    system = await startSystem();
    base = system.urls.gateway;
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-ui', client_secret: CLIENT_SECRET, redirect_uris: [`${base}/oauth/callback`] }],
    });
    ({ apiKey } = await createWorkspaceWithAdminKey(system.app('gateway').get(DataSource), 'UI Co'));
    broker = new CredentialBrokerClient({ baseUrl: base, apiKey });
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(15_000);
    settings = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    await system?.stop();
  });

  it('serves the UI as static files with a strict content security policy', async () => {
    const page = await fetch(`${base}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${base}/ui/settings.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    const nested = await fetch(`${base}/ui/settings/connector-editor/activation.js`);
    expect({ status: nested.status, type: nested.headers.get('content-type') }).toEqual({ status: 200, type: expect.stringMatching(/^text\/javascript/) });
    expect((await fetch(`${base}/ui/settings/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/ui/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/ui/nothing.js`)).status).toBe(404);
  });

  it('signs in with a workspace API key kept in sessionStorage only', async () => {
    await settings.goto(`${base}/ui/`);
    const keyInput = settings.getByLabel('Workspace API key');
    expect(await keyInput.getAttribute('type')).toBe('password');
    await keyInput.fill('cbk_0000000000000000_not-a-real-key-not-a-real-key-not-a-real-k');
    await settings.getByRole('button', { name: 'Sign in' }).click();
    await settings.getByText('This API key was not accepted').waitFor();
    await screenshot(settings, 'sign-in-refused');

    await keyInput.fill(apiKey);
    await settings.getByRole('button', { name: 'Sign in' }).click();
    await settings.getByRole('heading', { level: 1, name: 'Connectors' }).waitFor();
    await settings.getByText('No connectors yet').waitFor();
    const storage = await settings.evaluate('({ session: Object.values(sessionStorage), local: Object.values(localStorage) })');
    expect(storage).toEqual({ session: [apiKey], local: [] });
    await screenshot(settings, 'connector-list-empty');
  });

  it('explains a refused activation field by field', async () => {
    oauthConnectorId = await createFromScratch('Sandbox OAuth', 'OAuth 2.0');
    await activationSwitch().click();
    const refusal = settings.locator('#activation-errors');
    await refusal.getByText('Activation was refused').waitFor();
    const paths = await refusal.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-error-path')));
    expect(paths).toEqual(expect.arrayContaining(['config.authorizationUrl', 'config.tokenUrl', 'config.clientId']));
    expect(await refusal.textContent()).toContain('Authorization URL');
    const urlInput = settings.locator('[data-path="config.authorizationUrl"]');
    expect(await urlInput.getAttribute('aria-invalid')).toBe('true');
    const describedBy = ((await urlInput.getAttribute('aria-describedby')) ?? '').split(' ');
    const besideField = await settings.locator(`#${describedBy.at(-1)}`).textContent();
    expect(besideField).toMatch(/authorizationUrl/);
    expect(await activationSwitch().isChecked()).toBe(false);
    expect((await broker.connectors.get(oauthConnectorId)).status).toBe('draft');
    await screenshot(settings, 'activation-refused');
  });

  it('configures and activates an OAuth connector; the client secret stays write-only', async () => {
    await settings.locator('[data-path="config.authorizationUrl"]').fill(sandbox.urls.authorization);
    await settings.locator('[data-path="config.clientId"]').fill('cb-ui');
    await settings.locator('[data-path="config.clientSecret"]').fill(CLIENT_SECRET);
    await settings.locator('[data-path="config.scopes"]').fill('openid profile email offline_access');
    await settings.locator('[data-path="config.authorizationParams"]').fill('prompt=consent');
    await settings.locator('[data-path="config.tokenUrl"]').fill(sandbox.urls.token);
    await settings.locator('[data-path="config.revocationUrl"]').fill(sandbox.urls.revocation);
    await screenshot(settings, 'oauth-settings-filled');

    await activationSwitch().click();
    await settings.locator('.badge-status[data-status="active"]').waitFor();
    await expectToastClearOfSaveBar();
    expect(await activationSwitch().isChecked()).toBe(true);
    const secretInput = settings.locator('[data-path="config.clientSecret"]');
    expect(await secretInput.inputValue()).toBe('');
    expect(await secretInput.getAttribute('type')).toBe('password');
    expect(await settings.locator('[data-secret-state="set"]').count()).toBe(1);
    expect(await settings.content()).not.toContain(CLIENT_SECRET);
    await screenshot(settings, 'oauth-activated');

    const connector = await broker.connectors.get(oauthConnectorId);
    expect(connector).toMatchObject({ status: 'active', mode: 'OAUTH2', config: { clientId: 'cb-ui', clientSecret: { isSet: true }, authorizationParams: { prompt: 'consent' } } });
    expect(JSON.stringify(connector)).not.toContain(CLIENT_SECRET);
  });

  it('configures and activates a custom-input connector with the field editor', async () => {
    customConnectorId = await createFromScratch('Acme API', 'Custom Input');
    const addField = settings.getByRole('button', { name: 'Add field' });

    await addField.click();
    await settings.locator('[data-path="config.fields.0.type"]').selectOption('password');
    await settings.locator('[data-path="config.fields.0.key"]').fill('apiKey');
    await settings.locator('[data-path="config.fields.0.label"]').fill('API key');
    await settings.locator('[data-path="config.fields.0.description"]').fill('Found under Settings → API in your Acme account.');
    await settings.locator('[data-path="config.fields.0.required"]').check();

    await addField.click();
    await settings.locator('[data-path="config.fields.1.key"]').fill('region');
    await settings.locator('[data-path="config.fields.1.label"]').fill('Region');
    await settings.locator('[data-path="config.fields.1.default"]').fill('eu');

    await addField.click();
    await settings.locator('[data-path="config.fields.2.type"]').selectOption('number');
    await settings.locator('[data-path="config.fields.2.key"]').fill('expires_in');
    await settings.locator('[data-path="config.fields.2.label"]').fill('Expires in');
    await settings.locator('[data-path="config.fields.2.default"]').fill('100000');
    await settings.locator('[data-path="config.fields.2.hidden"]').check();
    await settings.locator('[data-path="config.fields.2.disabled"]').check();

    await settings.locator('[data-path="config.expiry"]').selectOption('field');
    await settings.locator('[data-path="config.expiry.fromField"]').selectOption('expires_in');
    await screenshot(settings, 'custom-fields-editor');

    await activationSwitch().click();
    await settings.locator('.badge-status[data-status="active"]').waitFor();
    await screenshot(settings, 'custom-activated');

    const connector = await broker.connectors.get(customConnectorId);
    expect(connector).toMatchObject({
      status: 'active',
      mode: 'CUSTOM',
      config: {
        fields: [
          { key: 'apiKey', label: 'API key', type: 'password', required: true, hidden: false },
          { key: 'region', type: 'text', default: 'eu' },
          { key: 'expires_in', type: 'number', default: 100000, hidden: true, disabled: true },
        ],
        expiry: { fromField: 'expires_in' },
      },
    });
  });

  it('lists connectors with their mode and status', async () => {
    await settings.goto(`${base}/ui/#/`);
    const rows = settings.locator('#connector-table tbody tr');
    await rows.nth(1).waitFor();
    const listed = await rows.evaluateAll((trs) => trs.map((tr) => tr.textContent?.replace(/\s+/g, ' ').trim()));
    expect(listed).toEqual(expect.arrayContaining([expect.stringMatching(/Acme API.*Custom Input.*Active/), expect.stringMatching(/Sandbox OAuth.*OAuth 2\.0.*Active/)]));
    await screenshot(settings, 'connector-list');
  });

  it('connects the custom-input connector through the Connect dialog: masked password, required and API errors beside the field', async () => {
    const session = await openSession({ connectorId: customConnectorId, endUserId: 'ui-user-custom' });
    const dialog = await browser.context.newPage();
    await dialog.goto(broker.connectSessions.dialogUrl(session, base));
    await dialog.getByRole('heading', { name: 'Connect Acme API' }).waitFor();

    const apiKeyInput = dialog.getByLabel('API key');
    expect(await apiKeyInput.getAttribute('type')).toBe('password');
    expect(await dialog.locator('#field-expires_in').count()).toBe(0);
    expect(await dialog.getByLabel('Region').inputValue()).toBe('eu');
    await screenshot(dialog, 'connect-custom-form');

    await dialog.getByRole('button', { name: 'Connect' }).click();
    expect(await apiKeyInput.getAttribute('aria-invalid')).toBe('true');
    await dialog.getByText('API key is required.').waitFor();
    expect(await dialog.evaluate('document.activeElement && document.activeElement.id')).toBe('field-apiKey');
    await screenshot(dialog, 'connect-custom-required');

    await apiKeyInput.fill('x'.repeat(9000));
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await dialog.getByText('API key must be at most 8192 characters.').waitFor();
    expect(await apiKeyInput.getAttribute('aria-invalid')).toBe('true');
    await screenshot(dialog, 'connect-custom-api-error');

    await apiKeyInput.fill(API_KEY_VALUE);
    await dialog.keyboard.press('Enter');
    await dialogResult(dialog, 'success');
    await screenshot(dialog, 'connect-custom-success');
    await dialog.close();

    const completed = await broker.connectSessions.get(session.sessionId);
    expect(completed.status).toBe('completed');
    const credential = await broker.connections.getCredential(completed.connectionId);
    expect(credential.credential).toMatchObject({ type: 'custom', fields: { apiKey: API_KEY_VALUE, region: 'eu', expires_in: 100000 } });

    await openEditor(customConnectorId, 'Acme API');
    await settings.locator('#connection-table tr[data-end-user-id="ui-user-custom"]').waitFor();
    await screenshot(settings, 'custom-connection-listed');
  });

  it('connects the OAuth connector: popup login and consent at the provider, the dialog shows success', async () => {
    await openSession({ connectorId: oauthConnectorId, endUserId: 'ui-probe' });
    await openEditor(oauthConnectorId, 'Sandbox OAuth');
    await settings.getByLabel('End user ID').fill('ui-user-oauth');
    await settings.getByRole('button', { name: 'Start a connect session' }).click();
    const link = await settings.locator('#open-connect-dialog').getAttribute('href');
    expect(link).toMatch(/^connect\.html#session=cbs_/);

    const dialog = await browser.context.newPage();
    await dialog.goto(`${base}/ui/${link}`);
    const connect = dialog.getByRole('button', { name: 'Connect Sandbox OAuth' });
    await connect.waitFor();
    await screenshot(dialog, 'connect-oauth-start');

    const [popup] = await Promise.all([browser.context.waitForEvent('page'), connect.click()]);
    await dialog.getByText('Waiting for you to sign in').waitFor();
    await signInIfAsked(popup, 'alice');
    await popup.getByRole('button', { name: 'Allow' }).waitFor();
    await screenshot(popup, 'provider-consent-popup');
    const closed = popup.waitForEvent('close', { timeout: 30_000 });
    await popup.getByRole('button', { name: 'Allow' }).click({ noWaitAfter: true }).catch(() => undefined);
    await closed;

    expect(await dialogResult(dialog, 'success')).toContain('Sandbox OAuth is connected for ui-user-oauth');
    await screenshot(dialog, 'connect-oauth-success');
    await dialog.close();

    const connections = await broker.connections.list({ connectorId: oauthConnectorId, endUserId: 'ui-user-oauth' });
    expect(connections.items).toHaveLength(1);
    expect(connections.items[0]).toMatchObject({ mode: 'OAUTH2', status: 'active' });
    await settings.getByRole('button', { name: 'Refresh' }).click();
    await settings.locator('#connection-table tr[data-end-user-id="ui-user-oauth"]').waitFor();
    await screenshot(settings, 'oauth-connection-listed');
  });

  it("shows the provider's refusal in plain words when consent is denied", async () => {
    const session = await openSession({ connectorId: oauthConnectorId, endUserId: 'ui-user-denies' });
    const dialog = await browser.context.newPage();
    await dialog.goto(broker.connectSessions.dialogUrl(session, base));
    const [popup] = await Promise.all([browser.context.waitForEvent('page'), dialog.getByRole('button', { name: 'Connect Sandbox OAuth' }).click()]);
    await signInIfAsked(popup, 'bob');
    await popup.getByRole('button', { name: 'Deny' }).waitFor();
    const closed = popup.waitForEvent('close', { timeout: 30_000 });
    await popup.getByRole('button', { name: 'Deny' }).click({ noWaitAfter: true }).catch(() => undefined);
    await closed;

    await dialogResult(dialog, 'failure');
    expect(await dialog.locator('#connect-result').getAttribute('data-error-code')).toBe('access_denied');
    expect(await dialog.locator('#failure-reason').textContent()).toMatch(/declined/);
    await screenshot(dialog, 'connect-oauth-denied');
    await dialog.close();
    expect((await broker.connectSessions.get(session.sessionId)).status).toBe('failed');
  });

  it('takes no sign-in address from its link: an authorization URL planted in the fragment or query is ignored (no open redirect)', async () => {
    const session = await openSession({ connectorId: oauthConnectorId, endUserId: 'ui-user-phished' });
    expect(broker.connectSessions.dialogUrl(session, base)).not.toContain('authorizationUrl');
    const phishing = `${base}/ui/logo.svg#look-alike-login`;
    const planted = new URLSearchParams({ authorizationUrl: phishing }).toString();
    for (const link of [`${broker.connectSessions.dialogUrl(session, base)}&${planted}`, `${base}/ui/connect.html?session=${session.sessionToken}&${planted}`]) {
      const dialog = await browser.context.newPage();
      await dialog.goto(link);
      const [popup] = await Promise.all([browser.context.waitForEvent('page'), dialog.getByRole('button', { name: 'Connect Sandbox OAuth' }).click()]);
      await popup.waitForURL((url) => url.href !== 'about:blank');
      expect(new URL(popup.url()).origin).toBe(new URL(sandbox.urls.authorization).origin);
      expect(dialog.url()).toBe(`${base}/ui/connect.html#session=${session.sessionToken}`);
      await popup.close();
      await dialog.close();
    }
  });

  it('creates connectors from templates of every mode: an API key template needs no client, an OAuth one asks for its client ID', async () => {
    await settings.goto(`${base}/ui/#/new`);
    const picker = settings.locator('[data-path="templateId"]');
    await picker.waitFor();
    const labels = await picker.locator('option').allTextContents();
    expect(labels.length).toBeGreaterThan(40);
    expect(labels).toEqual(expect.arrayContaining(['Stripe (API Key)', 'Twilio (Basic Auth)', 'Airtable (Bearer Token)', 'Datadog (Custom Input)', 'GitHub (OAuth 2.0)']));

    await picker.selectOption('stripe');
    await settings.getByText('Nothing more is needed here', { exact: false }).waitFor();
    expect(await settings.locator('[data-path="clientId"]').count()).toBe(0);
    expect(await settings.locator('form .hint').first().textContent()).toContain('Bearer token');
    await settings.locator('[data-path="slug"]').fill('stripe-from-ui');
    await screenshot(settings, 'connector-from-api-key-template');
    await settings.getByRole('button', { name: 'Create connector' }).click();
    await settings.getByRole('heading', { level: 1, name: 'Stripe' }).waitFor();
    const stripeId = /#\/connectors\/([0-9a-f-]{36})$/.exec(settings.url())?.[1] as string;
    expect(await broker.connectors.get(stripeId)).toMatchObject({ mode: 'API_KEY', templateId: 'stripe', slug: 'stripe-from-ui', config: { headerName: 'Authorization', prefix: 'Bearer', apiBaseUrl: 'https://api.stripe.com' } });

    await settings.goto(`${base}/ui/#/new`);
    await settings.locator('[data-path="templateId"]').selectOption('github');
    await settings.getByRole('button', { name: 'Create connector' }).click();
    await settings.getByText('Enter the client ID the provider gave you').first().waitFor();
    await settings.locator('[data-path="clientId"]').fill('github-from-ui');
    await settings.locator('[data-path="slug"]').fill('github-from-ui');
    await settings.getByRole('button', { name: 'Create connector' }).click();
    await settings.getByRole('heading', { level: 1, name: 'GitHub' }).waitFor();
    const githubId = /#\/connectors\/([0-9a-f-]{36})$/.exec(settings.url())?.[1] as string;
    expect(await broker.connectors.get(githubId)).toMatchObject({ mode: 'OAUTH2', templateId: 'github', config: { clientId: 'github-from-ui', scopes: ['read:user'] } });
  });

  it('creates an OAuth connector from its issuer URL: what was found, then the client, then activation', async () => {
    await settings.goto(`${base}/ui/#/new`);
    await settings.getByText('From a URL', { exact: true }).click();
    await settings.locator('[data-path="url"]').fill(sandbox.issuer);
    await settings.getByRole('button', { name: 'Look up' }).click();
    await settings.getByText('An authorization server').waitFor();
    expect(await settings.locator('.discovered').textContent()).toContain(sandbox.issuer);
    await settings.locator('[data-path="clientId"]').fill('cb-ui');
    await settings.locator('[data-path="clientSecret"]').fill(CLIENT_SECRET);
    await settings.locator('[data-path="name"]').fill('Sandbox discovered');
    await settings.locator('[data-path="slug"]').fill('sandbox-discovered');
    await screenshot(settings, 'connector-from-url');
    await settings.getByRole('button', { name: 'Create connector' }).click();
    await settings.getByRole('heading', { level: 1, name: 'Sandbox discovered' }).waitFor();
    const id = /#\/connectors\/([0-9a-f-]{36})$/.exec(settings.url())?.[1] as string;
    await activationSwitch().click();
    await settings.locator('.badge-status[data-status="active"]').waitFor();
    const connector = await broker.connectors.get(id);
    expect(connector).toMatchObject({ status: 'active', config: { authorizationUrl: sandbox.urls.authorization, tokenUrl: sandbox.urls.token, revocationUrl: sandbox.urls.revocation, clientId: 'cb-ui', clientSecret: { isSet: true } } });
  });

  it('lets the broker register the client when the server allows it', async () => {
    await settings.goto(`${base}/ui/#/new`);
    await settings.getByText('From a URL', { exact: true }).click();
    await settings.locator('[data-path="url"]').fill(`${sandbox.issuer}/api`);
    await settings.getByRole('button', { name: 'Look up' }).click();
    await settings.getByText('An MCP server (protected resource)').waitFor();
    await settings.locator('[data-path="name"]').fill('Sandbox MCP');
    await settings.locator('[data-path="slug"]').fill('sandbox-mcp');
    await settings.getByRole('button', { name: 'Create connector' }).click();
    await settings.getByRole('heading', { level: 1, name: 'Sandbox MCP' }).waitFor();
    const id = /#\/connectors\/([0-9a-f-]{36})$/.exec(settings.url())?.[1] as string;
    const connector = await broker.connectors.get(id);
    expect(connector.config).toMatchObject({ resource: `${sandbox.issuer}/api`, clientSecret: { isSet: true } });
    expect((connector.config as { clientId: string }).clientId).not.toBe('cb-ui');
  });

  it('shows why a URL could not be used', async () => {
    await settings.goto(`${base}/ui/#/new`);
    await settings.getByText('From a URL', { exact: true }).click();
    // nothing listens on port 1
    await settings.locator('[data-path="url"]').fill('http://127.0.0.1:1/');
    await settings.getByRole('button', { name: 'Look up' }).click();
    await settings.locator('.discovery [role="alert"]', { hasText: 'discovery_failed' }).waitFor();
    expect(await settings.locator('.discovery [role="alert"]').textContent()).toContain('could not be reached');
    expect(await settings.locator('[data-path="clientId"]').count()).toBe(0);
  });

  it('reported no script errors or content security policy violations', () => {
    // Chromium logs every 4xx answer as "Failed to load resource"; the tests cause those on purpose.
    expect(browser.pageErrors.filter((message) => !/Failed to load resource/.test(message))).toEqual([]);
  });
});
