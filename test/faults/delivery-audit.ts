/**
 * What the kill tests check after their flows, read from the events and the database: every
 * completed connection announced exactly once, refreshed, and no code or refresh token presented
 * twice at the provider.
 */
import { TokenIssued } from '@cb/events';
import { MessageCollector, waitFor } from '../harness';
import { withDb } from '../hostile/hostile-support';
import { SandboxProvider } from '../support/sandbox-provider';
import { Driver, FlowCounts, FlowResult, patientCall, tally } from './fault-support';

export interface AuditedSystem {
  databaseUrl: string;
  topic(name: string): string;
}

/** connectionId → ce_id → reason, of every TokenIssued collected. */
export function issuedByConnection(system: AuditedSystem, events: MessageCollector): Map<string, Map<string, string>> {
  const issued = new Map<string, Map<string, string>>();
  for (const message of events.messages.filter((m) => m.topic === system.topic(TokenIssued.topic))) {
    const payload = JSON.parse(message.value) as { connectionId: string; reason: string };
    const byId = issued.get(payload.connectionId) ?? new Map<string, string>();
    byId.set(message.headers.ce_id as string, payload.reason);
    issued.set(payload.connectionId, byId);
  }
  return issued;
}

export interface NotActiveConnection {
  id: string;
  status: string;
  error: string | null;
}

export async function connectionsNotActive(system: AuditedSystem): Promise<NotActiveConnection[]> {
  return withDb(system.databaseUrl, async (db) =>
    (
      await db.query<NotActiveConnection>(
        `SELECT c.id, c.status, c.credential_version, (SELECT needs_reconnect_error FROM token_issuance.refresh_states s WHERE s.connection_id = c.id) AS error,
           (SELECT json_agg(json_build_object('outcome', a.outcome, 'error', a.error_code, 'at', a.attempted_at) ORDER BY a.id) FROM token_issuance.refresh_attempts a WHERE a.connection_id = c.id) AS attempts
         FROM token_issuance.connections c WHERE c.status <> 'active'`,
      )
    ).rows,
  );
}

/** Waits until every completed OAuth connection still active has been refreshed; answers those still waiting when time ran out (none on success). */
export async function waitForRefreshOfActive(system: AuditedSystem, events: MessageCollector, completed: FlowResult[], timeoutMs: number): Promise<string[]> {
  return waitFor(
    async () => {
      const issued = issuedByConnection(system, events);
      const inactive = new Set((await connectionsNotActive(system)).map((c) => c.id));
      const waiting = completed
        .filter((flow) => flow.kind === 'oauth' && !inactive.has(flow.connectionId as string) && ![...(issued.get(flow.connectionId as string)?.values() ?? [])].includes('refresh'))
        .map((flow) => flow.connectionId as string);
      return waiting.length === 0 ? waiting : undefined;
    },
    { timeoutMs, intervalMs: 500, description: 'a refresh of every active OAuth connection' },
  );
}

export interface DeliveryAudit {
  counts: FlowCounts;
  refreshesAnnounced: number;
  codeRedemptions: number;
  sessionsLeftOpen: number;
  notActive: NotActiveConnection[];
  provider: Awaited<ReturnType<SandboxProvider['stats']>>;
}

/** Tallies the flows, then counts each completed connection's `connect` announcements: none is lost, none duplicated. */
export async function auditDeliveries(system: AuditedSystem, events: MessageCollector, sandbox: SandboxProvider, results: FlowResult[]): Promise<DeliveryAudit> {
  const counts = tally(results);
  const issued = issuedByConnection(system, events);
  for (const flow of results.filter((r) => r.outcome === 'completed')) {
    const connects = [...(issued.get(flow.connectionId as string)?.values() ?? [])].filter((reason) => reason === 'connect').length;
    if (connects > 1) counts.duplicated += 1;
    if (connects === 0) counts.lost += 1;
  }
  const refreshesAnnounced = [...issued.values()].flatMap((byId) => [...byId.values()]).filter((reason) => reason === 'refresh').length;
  const { codeRedemptions, sessionsLeftOpen } = await withDb(system.databaseUrl, async (db) => ({
    codeRedemptions: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM token_issuance.code_redemptions')).rows[0]?.n ?? 0,
    sessionsLeftOpen: (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM oauth_authorization.connect_sessions WHERE status IN ('pending', 'authorized') AND end_user_id LIKE 'user-%'`)).rows[0]?.n ?? 0,
  }));
  return { counts, refreshesAnnounced, codeRedemptions, sessionsLeftOpen, notActive: await connectionsNotActive(system), provider: await sandbox.stats() };
}

/** Reads the credential of up to `limit` completed OAuth connections that are still active and answers each status with whether the provider accepts the token. */
export async function credentialsAcceptedByProvider(driver: Driver, sandbox: SandboxProvider, flows: FlowResult[], limit: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (const flow of flows.slice(0, limit)) {
    const read = await patientCall<{ credential: { accessToken: string } }>(`${driver.base}/v1/connections/${flow.connectionId}/credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${driver.apiKey}`, 'content-type': 'application/json' },
      body: '{}',
      deadline: Date.now() + 20_000,
    });
    const accepted = read.status === 200 && (await fetch(sandbox.urls.userinfo, { headers: { authorization: `Bearer ${read.body.credential.accessToken}` } })).status === 200;
    outcomes.push(`${read.status} ${accepted ? 'accepted' : 'refused'}`);
  }
  return outcomes;
}

/** The audit's figures as the kill tests print them. */
export function auditFigures(audit: DeliveryAudit): Record<string, unknown> {
  const { provider } = audit;
  return {
    'authorization_code requests': provider.tokenRequests.byGrantType.authorization_code ?? 0,
    'code redemptions': audit.codeRedemptions,
    'refresh requests': provider.tokenRequests.byGrantType.refresh_token ?? 0,
    'refreshes announced': audit.refreshesAnnounced,
    'refresh token reuse detections': provider.refreshTokenReuseDetections,
    'code reuse detections': provider.authorizationCodeReuseDetections,
    'sessions left open': audit.sessionsLeftOpen,
    'not active': audit.notActive.map((c) => `${c.status} ${c.error}`),
  };
}
