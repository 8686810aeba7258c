/**
 * The set-up the kill tests share: the sandbox provider with short-lived tokens, a workspace, an
 * OAuth and an API-key connector through the gateway, a collector of the connection events, and a
 * first completed flow.
 */
import { ConnectionFailed, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { createActiveConnector, createWorkspace, Driver, FlowResult, runFlow } from './fault-support';
import { ProcessSystem } from './process-system';

/** The gateway's limits the flows would otherwise run into; a test sets the one it checks. */
export const FLOW_RATE_LIMITS_OFF = {
  RATE_LIMIT_CALLBACK: 'off',
  RATE_LIMIT_CONNECT_SESSIONS: 'off',
  RATE_LIMIT_SESSION_READS: 'off',
  RATE_LIMIT_CREDENTIAL_READS: 'off',
  RATE_LIMIT_CONNECT_DIALOG: 'off',
  RATE_LIMIT_REPORT_UNAUTHORIZED: 'off',
};

/** Refresh settings that make a 20-second token's refreshes, and retries after a kill, quick. */
export const QUICK_REFRESH = {
  'token-refresh': { REFRESH_POLL_INTERVAL_MS: '250', REFRESH_LEASE_SECONDS: '3', REFRESH_BACKOFF_CAP_SECONDS: '8' },
  'token-issuance': { TOKEN_REQUEST_TIMEOUT_MS: '5000' },
};

export interface FlowScenario {
  sandbox: SandboxProvider;
  events: MessageCollector;
  driver: Driver;
  oauthConnectorId: string;
  typedConnectorId: string;
  /** The first completed (API-key) flow. */
  warmUp: FlowResult;
  stop(): Promise<void>;
}

export async function startFlowScenario(system: ProcessSystem, name: string, tokenTtlSeconds: number): Promise<FlowScenario> {
  const sandbox = await startSandboxProvider({
    accessTokenTtlSeconds: tokenTtlSeconds,
    clients: [{ client_id: `${name}-client`, client_secret: `${name}-secret`, redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
  });
  const events = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenIssued.topic), system.topic(ConnectionFailed.topic)] });
  const { apiKey } = await createWorkspace(system.databaseUrls.gateway, `${name} Co`);
  const driver = { base: system.urls.gateway, apiKey };
  const oauthConnectorId = await createActiveConnector(driver, `${name}-oauth`, {
    mode: 'OAUTH2',
    authorizationUrl: sandbox.urls.authorization,
    tokenUrl: sandbox.urls.token,
    clientId: `${name}-client`,
    clientSecret: `${name}-secret`,
    scopes: ['openid', 'offline_access'],
    authorizationParams: { prompt: 'consent' },
    refreshMarginSeconds: 10,
  });
  const typedConnectorId = await createActiveConnector(driver, `${name}-typed`, { mode: 'API_KEY', headerName: 'X-Key' });
  const warmUp = await waitFor(
    async () => {
      const flow = await runFlow(driver, 'typed', typedConnectorId, 'warm-up', 20_000);
      return flow.outcome === 'completed' ? flow : undefined;
    },
    { timeoutMs: 60_000, description: 'a first flow' },
  );
  return {
    sandbox,
    events,
    driver,
    oauthConnectorId,
    typedConnectorId,
    warmUp,
    stop: async () => {
      await events.stop();
      await sandbox.stop();
    },
  };
}
