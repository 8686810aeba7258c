/**
 * token-issuance SIGKILLed in the middle of an authorization code exchange, at the two points where
 * presenting the code again would be wrong: after the redemption row is committed and the token
 * request has left (the provider may have redeemed the code), and after the provider answered but
 * before the credential is committed (it did redeem it). A test-only preload
 * (kill-during-code-exchange.hook.cjs) does the kill; on restart the redelivered CodeReceived finds
 * its redemption unfinished, the session fails with `redemption_interrupted`, and the provider has
 * seen exactly one token request.
 */
import { join } from 'node:path';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { activeConnector, oauthConnect, sessionReaches, withDb, Workspace, workspaceClient } from '../hostile/hostile-support';
import { createWorkspace } from './fault-support';
import { ProcessSystem, startProcessSystem } from './process-system';

const HOOK = join(__dirname, 'kill-during-code-exchange.hook.cjs');

describe('token-issuance killed during a code exchange', () => {
  let system: ProcessSystem;
  let sandbox: SandboxProvider;
  let workspace: Workspace;
  let connectorId: string;

  const redemption = (sessionId: string): Promise<{ status: string; error_code: string | null } | undefined> =>
    withDb(system.databaseUrl, async (db) => (await db.query<{ status: string; error_code: string | null }>('SELECT status, error_code FROM token_issuance.code_redemptions WHERE session_id = $1', [sessionId])).rows[0]);
  const storedConnections = (connectionId: string): Promise<number> =>
    withDb(system.databaseUrl, async (db) => (await db.query('SELECT 1 FROM token_issuance.connections WHERE id = $1', [connectionId])).rows.length);

  beforeAll(async () => {
    system = await startProcessSystem();
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'killed-exchange', client_secret: 'killed-exchange-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    workspace = workspaceClient(system.urls.gateway, await createWorkspace(system.databaseUrls.gateway, 'Killed Exchange Co'));
    connectorId = await activeConnector(workspace, 'killed-exchange', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'killed-exchange',
      clientSecret: 'killed-exchange-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
  }, 240_000); // the first start in a run compiles the services

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
  });

  const cases = [
    { phase: 'request_sent', when: 'after the redemption row is committed and the token request has left' },
    { phase: 'answer_received', when: 'after the provider answered, before the credential is committed' },
  ] as const;

  for (const { phase, when } of cases) {
    it(`killed ${when}: one token request at the provider, the session fails with redemption_interrupted`, async () => {
      await system.stopService('token-issuance');
      await system.start('token-issuance', { NODE_OPTIONS: `--require ${HOOK}`, KILL_DURING_CODE_EXCHANGE: phase });
      const before = await sandbox.stats();

      const session = await oauthConnect(workspace, { connectorId, endUserId: `killed-${phase}` }, (url) => authorizeOverHttp(url));
      expect(session.callbackStatus).toBe(200);
      await system.exited('token-issuance');
      expect(await redemption(session.sessionId)).toEqual({ status: 'redeeming', error_code: null });
      await system.start('token-issuance');

      const ended = await sessionReaches(workspace, session.sessionId, 'failed', 60_000);
      const after = await sandbox.stats();
      const codeRequests = (after.tokenRequests.byGrantType.authorization_code ?? 0) - (before.tokenRequests.byGrantType.authorization_code ?? 0);
      process.stdout.write(`code exchange killed (${phase}): ${after.tokenRequests.total - before.tokenRequests.total} token request(s), ${codeRequests} handled as authorization_code, session ${ended.error?.code}\n`);
      expect(ended.error?.code).toBe('redemption_interrupted');
      expect(after.tokenRequests.total - before.tokenRequests.total).toBe(1);
      expect(codeRequests).toBeLessThanOrEqual(1);
      if (phase === 'answer_received') expect(codeRequests).toBe(1);
      expect(await redemption(session.sessionId)).toEqual({ status: 'failed', error_code: 'redemption_interrupted' });
      expect(await storedConnections(session.connectionId)).toBe(0);
    }, 120_000);
  }
});
