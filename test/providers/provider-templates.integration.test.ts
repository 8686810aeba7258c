/**
 * The seven original OAuth2 provider templates end to end against the provider each names (issue 13, item 8): the five
 * services on real Kafka and PostgreSQL, and the provider simulator (test/support/provider-simulator)
 * answering as Microsoft, Google, Slack, GitHub, Salesforce, HubSpot and Atlassian do, plus two
 * generic servers. Through the gateway's public API, for each: connect, read (the provider's API
 * accepts the token), refresh under 8-second tokens with concurrent reads (every token handed out
 * is accepted, no refresh token presented twice), a grant revoked at the provider (needs_reconnect,
 * announced once), disconnect (revocation where the template has an endpoint).
 *
 * The templates run side by side, so each phase below is started for every template in beforeAll
 * and each test awaits its own template's phase.
 */
import { ConnectionDeleted, ConnectionStatusChanged } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { Gateway, newWorkspace, sessionReaches } from '../connect/connect-helpers';
import { PROFILES, startProviderSimulator, USER_COOKIE, type ProviderSimulator, type SimulatedProvider } from '../support/provider-simulator';
import { RunningSystem, startSystem } from '../support/system';

const TOKEN_LIFETIME_SECONDS = 8;
const LOAD_SECONDS = 20;
const READS_PER_WAVE = 3;
const REFRESH_ENV = { REFRESH_POLL_INTERVAL_MS: '250', REFRESH_LEASE_SECONDS: '2', REFRESH_BACKOFF_CAP_SECONDS: '8' };
const SIMULATED_TEMPLATES = ['atlassian', 'github', 'google', 'hubspot', 'microsoft', 'salesforce', 'slack'];
const URL_FIELDS = ['authorizationUrl', 'tokenUrl', 'revocationUrl', 'introspectionUrl', 'issuer'] as const;

/** Paces a load loop (not a wait for a condition). */

interface ProviderCase {
  readonly profileId: string;
  /** A template whose URLs are moved onto the simulator, or a connector configured from scratch. */
  readonly connector: { templateId: string } | { config(provider: SimulatedProvider, clientId: string, clientSecret: string): Record<string, unknown> };
  readonly session?: Record<string, unknown>;
  /** What disconnect reports: the template has a revocation endpoint or not. */
  readonly revocation: 'revoked' | 'not_supported';
  /** The error code needs_reconnect carries once the grant is revoked at the provider. */
  readonly revokedGrantCode: string;
  readonly metadata?: (provider: SimulatedProvider, user: string) => Record<string, unknown>;
  /** Template settings the test changes besides the URLs, e.g. an assumed lifetime as short as the simulator's tokens. */
  readonly configOverrides?: Record<string, unknown>;
}

const CASES: readonly ProviderCase[] = [
  { profileId: 'microsoft', connector: { templateId: 'microsoft' }, revocation: 'not_supported', revokedGrantCode: 'invalid_grant' },
  { profileId: 'google', connector: { templateId: 'google' }, revocation: 'revoked', revokedGrantCode: 'invalid_grant' },
  {
    profileId: 'slack',
    connector: { templateId: 'slack' },
    revocation: 'not_supported',
    revokedGrantCode: 'invalid_refresh_token',
    metadata: (_provider, user) => ({ team_id: 'T0SIMULATED', team_name: 'Simulated Team', authed_user_id: `U-${user}` }),
  },
  { profileId: 'github', connector: { templateId: 'github' }, revocation: 'not_supported', revokedGrantCode: 'bad_refresh_token' },
  { profileId: 'github-oauth-app', connector: { templateId: 'github' }, revocation: 'not_supported', revokedGrantCode: 'no_refresh_token' },
  {
    profileId: 'salesforce',
    connector: { templateId: 'salesforce' },
    session: { attributes: { loginHost: 'acme.my.salesforce.com' } },
    // Salesforce sends no expires_in; its template assumes an hour (its introspection is not simulated,
    // so the broker falls back to the assumed lifetime), here as short as the simulator's sessions.
    configOverrides: { assumedTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS },
    revocation: 'revoked',
    revokedGrantCode: 'invalid_grant',
    metadata: (provider) => ({ instance_url: `${provider.base}/acme.my.salesforce.com`, identity_url: expect.stringContaining(`${provider.base}/login.salesforce.com/id/`) }),
  },
  { profileId: 'hubspot', connector: { templateId: 'hubspot' }, revocation: 'not_supported', revokedGrantCode: 'BAD_REFRESH_TOKEN' },
  { profileId: 'atlassian', connector: { templateId: 'atlassian' }, revocation: 'not_supported', revokedGrantCode: 'invalid_grant' },
  {
    profileId: 'strict-rfc',
    connector: {
      config: (provider, clientId, clientSecret) => ({
        mode: 'OAUTH2',
        authorizationUrl: `${provider.base}/authorize`,
        tokenUrl: `${provider.base}/token`,
        revocationUrl: `${provider.base}/revoke`,
        issuer: provider.base,
        clientId,
        clientSecret,
        clientAuthMethod: 'client_secret_basic',
        scopes: ['profile', 'offline_access'],
      }),
    },
    revocation: 'revoked',
    revokedGrantCode: 'invalid_grant',
  },
  {
    profileId: 'legacy-form',
    connector: {
      config: (provider, clientId, clientSecret) => ({
        mode: 'OAUTH2',
        authorizationUrl: `${provider.base}/oauth/authorize`,
        tokenUrl: `${provider.base}/oauth/token`,
        clientId,
        clientSecret,
        clientAuthMethod: 'client_secret_post',
        scopeSeparator: ',',
        scopes: ['read', 'write'],
      }),
    },
    revocation: 'not_supported',
    revokedGrantCode: 'invalid_grant',
  },
];

interface Credential {
  accessToken: string;
  refreshToken?: string;
  tokenType: string;
  expiresAt: string | null;
  metadata: Record<string, unknown>;
}

interface Connected {
  gateway: Gateway;
  provider: SimulatedProvider;
  connectorId: string;
  connections: { alice: string; bob: string };
  firstCredential: Credential;
  firstReadAt: number;
  /** Whether the provider's API took the first credential, asked right after the read. */
  firstCredentialAccepted: boolean;
}

type Phases = {
  connect: Promise<Connected>;
  read: Promise<void>;
  refresh: Promise<void>;
  revoke: Promise<void>;
  disconnect: Promise<void>;
};

describe('provider templates against their providers', () => {
  let system: RunningSystem;
  let simulator: ProviderSimulator;
  let events: MessageCollector;
  const phases = new Map<string, Phases>();

  const published = (topic: string, connectionId: string): Array<Record<string, unknown>> =>
    events.messages
      .filter((m) => m.topic === system.topic(topic))
      .map((m) => JSON.parse(m.value) as Record<string, unknown>)
      .filter((p) => p['connectionId'] === connectionId);

  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { 'token-refresh': REFRESH_ENV, 'token-issuance': { TOKEN_REQUEST_TIMEOUT_MS: '4000' } } });
    simulator = await startProviderSimulator({ accessTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS });
    events = await collectMessages({ brokers: system.kafkaBrokers, topics: [ConnectionStatusChanged, ConnectionDeleted].map((d) => system.topic(d.topic)) });
    for (const providerCase of CASES) phases.set(providerCase.profileId, startPhases(providerCase));
  });

  afterAll(async () => {
    await Promise.allSettled([...phases.values()].flatMap((p) => Object.values(p)));
    await events?.stop();
    await simulator?.stop();
    await system?.stop();
  });

  it('has a case for every profile, and a profile for each of the seven simulated templates, all in the catalogue', async () => {
    const templates = await (await newWorkspace(system, 'templates')).gateway.call<{ items: Array<{ id: string }> }>('GET', '/v1/connector-templates');
    const templateIds = templates.body.items.map((t) => t.id);
    expect(CASES.map((c) => c.profileId).sort()).toEqual(PROFILES.map((p) => p.id).sort());
    // the other templates are checked by the catalogue's schema test and test/connectors; the simulator imitates these seven
    const simulated = [...new Set(PROFILES.flatMap((p) => (p.templateId ? [p.templateId] : [])))].sort();
    expect(simulated).toEqual(SIMULATED_TEMPLATES);
    expect(templateIds).toEqual(expect.arrayContaining(simulated));
  });

  /** Runs one template's phases in order; a phase that fails leaves the later ones to report it. */
  function startPhases(providerCase: ProviderCase): Phases {
    const provider = simulator.provider(providerCase.profileId);
    const connect = handled(connectBoth(providerCase, provider));
    const read = handled(connect.then((connected) => readAndUse(providerCase, connected)));
    const refresh = handled(connect.then(async (connected) => {
      await read;
      await refreshUnderLoad(connected);
    }));
    const revoke = handled(connect.then(async (connected) => {
      await Promise.allSettled([refresh]);
      await revokedAtProvider(providerCase, connected);
    }));
    const disconnect = handled(connect.then(async (connected) => {
      await Promise.allSettled([revoke]);
      await disconnectBob(providerCase, connected);
    }));
    return { connect, read, refresh, revoke, disconnect };
  }

  async function connectBoth(providerCase: ProviderCase, provider: SimulatedProvider): Promise<Connected> {
    const { gateway } = await newWorkspace(system, `providers-${providerCase.profileId}`);
    const clientId = `client-${providerCase.profileId}`;
    const clientSecret = `secret-${providerCase.profileId}-${Date.now()}`;
    provider.registerClient({ clientId, clientSecret, redirectUris: [`${system.urls.gateway}/oauth/callback`] });
    const connectorId = await createConnector(gateway, providerCase, provider, clientId, clientSecret);
    const alice = await connectUser(gateway, providerCase, connectorId, 'alice');
    const { credential: firstCredential } = await readCredential(gateway, alice);
    const firstReadAt = Date.now();
    const firstCredentialAccepted = await provider.callApi(firstCredential);
    const bob = await connectUser(gateway, providerCase, connectorId, 'bob');
    return { gateway, provider, connectorId, connections: { alice, bob }, firstCredential, firstReadAt, firstCredentialAccepted };
  }

  /**
   * A template cannot be pointed elsewhere when it is instantiated, so the connector is created from
   * the template through the API, then its URLs (and only its URLs) are moved onto the simulator
   * with a PATCH, and it is activated.
   */
  async function createConnector(gateway: Gateway, providerCase: ProviderCase, provider: SimulatedProvider, clientId: string, clientSecret: string): Promise<string> {
    const slug = `sim-${providerCase.profileId}`;
    if ('config' in providerCase.connector) {
      const created = await gateway.call<{ id: string }>('POST', '/v1/connectors', { body: { slug, name: slug, config: providerCase.connector.config(provider, clientId, clientSecret) } });
      expect(created.status).toBe(201);
      return activate(gateway, created.body.id);
    }
    const created = await gateway.call<{ id: string; templateId: string; config: Record<string, unknown> }>('POST', '/v1/connectors', {
      body: { templateId: providerCase.connector.templateId, slug, clientId, clientSecret },
    });
    expect(created.status).toBe(201);
    expect(created.body.templateId).toBe(providerCase.connector.templateId);
    const { clientSecret: _redacted, ...config } = created.body.config;
    for (const field of URL_FIELDS) if (typeof config[field] === 'string') config[field] = provider.localUrl(config[field]);
    // moving a connector's endpoints to another origin takes its client secret again
    Object.assign(config, providerCase.configOverrides, { clientSecret });
    const patched = await gateway.call<{ config: Record<string, unknown> }>('PATCH', `/v1/connectors/${created.body.id}`, { body: { config } });
    expect(patched.status).toBe(200);
    expect(withoutUrls(patched.body.config)).toEqual(withoutUrls({ ...created.body.config, ...providerCase.configOverrides }));
    return activate(gateway, created.body.id);
  }

  async function activate(gateway: Gateway, connectorId: string): Promise<string> {
    const activated = await gateway.call('POST', `/v1/connectors/${connectorId}/activate`);
    expect(activated.status).toBe(200);
    return connectorId;
  }

  /** Opens a session, follows the authorization URL as the logged-in user's browser, delivers the callback. */
  async function connectUser(gateway: Gateway, providerCase: ProviderCase, connectorId: string, user: string): Promise<string> {
    const opened = await gateway.call<{ sessionId: string; connectionId: string; authorizationUrl: string }>('POST', '/v1/connect-sessions', {
      body: { connectorId, endUserId: user, ...providerCase.session },
    });
    expect(opened.status).toBe(201);
    const authorization = await fetch(opened.body.authorizationUrl, { redirect: 'manual', headers: { cookie: `${USER_COOKIE}=${user}` }, signal: AbortSignal.timeout(10_000) });
    const problem = authorization.status === 302 ? undefined : await authorization.text();
    expect({ status: authorization.status, problem }).toEqual({ status: 302, problem: undefined });
    const callbackUrl = new URL(authorization.headers.get('location') ?? '');
    expect(callbackUrl.searchParams.get('error_description') ?? callbackUrl.searchParams.get('error')).toBeNull();
    expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(`${system.urls.gateway}/oauth/callback`);
    const callback = await fetch(callbackUrl, { redirect: 'manual', signal: AbortSignal.timeout(20_000) });
    await callback.text();
    expect(callback.status).toBe(200);
    const session = await sessionReaches(gateway, opened.body.sessionId, 'completed').catch(async (error: unknown) => {
      const now = await gateway.call('GET', `/v1/connect-sessions/${opened.body.sessionId}`);
      throw new Error(`${error instanceof Error ? error.message : String(error)}: ${now.text}`);
    });
    return session.connectionId;
  }

  async function readCredential(gateway: Gateway, connectionId: string): Promise<{ credential: Credential; credentialVersion: number }> {
    const answer = await gateway.call<{ credential: Credential; credentialVersion: number }>('POST', `/v1/connections/${connectionId}/credential`, { body: { includeRefreshToken: true } });
    if (answer.status !== 200) throw new Error(`credential read answered ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  function readAndUse(providerCase: ProviderCase, { provider, firstCredential, firstReadAt, firstCredentialAccepted }: Connected): void {
    const { profile } = provider;
    expect(firstCredentialAccepted).toBe(true);
    expect(firstCredential.refreshToken !== undefined).toBe(profile.issuesRefreshTokens);
    // an expiry the provider tells, or one the connector assumes for tokens that come without one
    expect(firstCredential.expiresAt !== null).toBe(profile.tellsExpiry || providerCase.configOverrides?.assumedTokenLifetimeSeconds !== undefined);
    if (firstCredential.expiresAt !== null) expect(Date.parse(firstCredential.expiresAt)).toBeGreaterThan(firstReadAt);
    expect(firstCredential.metadata).toEqual(providerCase.metadata?.(provider, 'alice') ?? {});
    expect(provider.stats().codeRedemptions).toBe(2);
    expect(provider.stats().codeReuses).toBe(0);
  }

  /** Concurrent reads across several token lifetimes: every token handed out is one the provider accepts. */
  async function refreshUnderLoad({ gateway, provider, connections }: Connected): Promise<void> {
    const seen = new Set<string>();
    const refused: Record<string, number> = {};
    const refuse = (why: string): void => {
      refused[why] = (refused[why] ?? 0) + 1;
    };
    const readOnce = async (): Promise<void> => {
      // Alive when asked for: on this loaded machine an answer can take longer than a token's last second.
      const askedAt = Date.now();
      const { credential } = await readCredential(gateway, connections.alice);
      if (!provider.acceptsAccessToken(credential.accessToken, askedAt)) refuse(`handed out a dead token (the broker says it expires ${credential.expiresAt ?? 'never'})`);
      if (!seen.has(credential.accessToken)) {
        seen.add(credential.accessToken);
        if (!(await provider.callApi(credential))) refuse('refused by the API at first use');
      }
    };
    const started = Date.now();
    // Without a refresh token a reported 401 rightly ends the connection; that is the revoke phase's business.
    let reportsDone = !provider.profile.issuesRefreshTokens;
    while (Date.now() - started < LOAD_SECONDS * 1000) {
      const waveStarted = Date.now();
      await Promise.all(Array.from({ length: READS_PER_WAVE }, readOnce));
      if (!reportsDone && Date.now() - started > (LOAD_SECONDS * 1000) / 2) {
        reportsDone = true;
        await concurrentUnauthorizedReports(gateway, connections.alice);
      }
      // waves start at least 750 ms apart: load spread over the token lifetimes, not a burst
      await waitFor(() => Date.now() >= waveStarted + 750 || undefined, { timeoutMs: 5_000, intervalMs: 50, description: 'the next wave' });
    }
    const stats = provider.stats();
    process.stdout.write(`${provider.profile.id}: ${seen.size} access tokens in ${LOAD_SECONDS} s of ${TOKEN_LIFETIME_SECONDS} s tokens, ${stats.refreshGrants} refresh grants, refused: ${JSON.stringify(refused)}\n`);
    expect(refused).toEqual({});
    expect(stats.refreshTokenReuses).toBe(0);
    if (provider.profile.rules.rotation === 'rotate') expect(stats.maxRefreshTokenPresentations).toBeLessThanOrEqual(1);
    if (provider.profile.rules.accessTokensExpire === false) {
      expect(seen.size).toBe(1);
      expect(stats.refreshGrants).toBe(0);
    } else {
      expect(seen.size).toBeGreaterThanOrEqual(2);
    }
  }

  /**
   * Several workers get a 401 with the same credential at once and each reports it: one refresh at
   * most, the others find the newer credential (single flight across concurrent requests).
   */
  async function concurrentUnauthorizedReports(gateway: Gateway, connectionId: string): Promise<void> {
    const { credentialVersion } = await readCredential(gateway, connectionId);
    const answers = await Promise.all(
      Array.from({ length: READS_PER_WAVE }, () => gateway.call<{ outcome: string }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: { credentialVersion } })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.filter((a) => a.body.outcome === 'refreshed').length).toBeLessThanOrEqual(1);
  }

  /**
   * The user removes the app at the provider. A caller keeps reading and, when the API refuses the
   * token, reports it (POST …/report-unauthorized), as the API asks; the broker's next refresh (or
   * that report) meets the dead grant and marks the connection once.
   */
  async function revokedAtProvider(providerCase: ProviderCase, { gateway, provider, connections }: Connected): Promise<void> {
    const connectionId = connections.alice;
    expect(provider.revokeGrantsOf('alice')).toBeGreaterThan(0);
    await waitFor(
      async () => {
        const answer = await gateway.call<{ credential: Credential }>('POST', `/v1/connections/${connectionId}/credential`, { body: {} });
        if (answer.status === 409) return true;
        if (answer.status === 200 && !(await provider.callApi(answer.body.credential))) {
          const reported = await gateway.call('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: {} });
          if (reported.status >= 500) throw new Error(`report-unauthorized answered ${reported.status}`);
        }
        return false;
      },
      { timeoutMs: 40_000, intervalMs: 300, description: `${providerCase.profileId}: the revoked grant found` },
    );
    const changed = await waitFor(() => published(ConnectionStatusChanged.topic, connectionId)[0], { timeoutMs: 20_000, description: 'ConnectionStatusChanged' });
    expect(changed).toMatchObject({ status: 'needs_reconnect', previousStatus: 'active', errorCode: providerCase.revokedGrantCode });
    const view = await gateway.call<{ status: string }>('GET', `/v1/connections/${connectionId}`);
    expect(view.body.status).toBe('needs_reconnect');
    const again = await gateway.call('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: {} });
    expect(again.status).toBeLessThan(500);
  }

  async function disconnectBob(providerCase: ProviderCase, { gateway, provider, connections }: Connected): Promise<void> {
    const connectionId = connections.bob;
    const { credential: before } = await readCredential(gateway, connectionId);
    const revocationsBefore = provider.stats().revocations.length;
    const deleted = await gateway.call<{ revocation: string }>('DELETE', `/v1/connections/${connectionId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.revocation).toBe(providerCase.revocation);
    const revocations = provider.stats().revocations.slice(revocationsBefore);
    if (providerCase.revocation === 'revoked') {
      const hint = before.refreshToken === undefined ? 'access_token' : 'refresh_token';
      expect(revocations).toEqual([expect.objectContaining({ kind: hint, tokenTypeHint: hint })]);
      if (before.refreshToken !== undefined) expect(provider.isRefreshTokenLive(before.refreshToken)).toBe(false);
      expect(provider.acceptsAccessToken(before.accessToken)).toBe(false);
    } else {
      expect(revocations).toEqual([]);
    }
    await waitFor(() => published(ConnectionDeleted.topic, connectionId)[0], { timeoutMs: 20_000, description: 'ConnectionDeleted' });
    expect((await gateway.call('GET', `/v1/connections/${connectionId}`)).status).toBe(404);
    // The revoked connection of the earlier phase was announced once, whatever happened since.
    expect(published(ConnectionStatusChanged.topic, connections.alice)).toHaveLength(1);
  }

  for (const providerCase of CASES) {
    const phase = <K extends keyof Phases>(name: K): Phases[K] => {
      const found = phases.get(providerCase.profileId);
      if (!found) throw new Error('the phases did not start (see beforeAll)');
      return found[name];
    };
    describe(providerCase.profileId, () => {
      it('connects: the authorization URL, the provider\'s redirect, the callback and the code exchange', async () => {
        await phase('connect');
      }, 150_000);
      it('hands out a credential the provider\'s API accepts, with what the provider returns kept', () => phase('read'), 150_000);
      it(`keeps ${TOKEN_LIFETIME_SECONDS}-second tokens usable under concurrent reads, never presenting a spent refresh token`, () => phase('refresh'), 150_000);
      it('marks a grant revoked at the provider needs_reconnect, announced once', () => phase('revoke'), 150_000);
      it('disconnects, revoking at the provider when the template has a revocation endpoint', () => phase('disconnect'), 150_000);
    });
  }
});

/** Keeps a phase's failure for the test that awaits it, without an unhandled rejection meanwhile. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function withoutUrls(config: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...config };
  for (const field of URL_FIELDS) delete rest[field];
  return rest;
}
