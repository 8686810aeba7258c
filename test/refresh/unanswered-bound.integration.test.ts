/**
 * The scheduler's bound on what it has announced and not seen answered (REFRESH_MAX_UNANSWERED,
 * ADR 0016): a backlog is announced as answers come back, each connection once, and a TokenExpired
 * nobody answers is still announced again when its lease ends. token-refresh runs alone; the test
 * answers a TokenExpired as token-issuance would, with TokenIssued(refresh) of the next version.
 */
import { ConnectionDeleted, TokenExpired, TokenExpiredPayload, TokenIssued, TokenIssuedPayload } from '@cb/events';
import { DueTokenScheduler } from '../../apps/token-refresh/src/emit-due-tokens/due-token.scheduler';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { EventPublisher, eventPublisher, tokenIssued, withDatabase } from './refresh-events';

const MAX_UNANSWERED = 4;
const POLL_MS = 200;
const LEASE_SECONDS = 20;

describe('token-refresh: at most REFRESH_MAX_UNANSWERED first announcements unanswered', () => {
  let system: RunningSystem;
  let publisher: EventPublisher;
  let expired: MessageCollector;

  beforeAll(async () => {
    system = await startSystem({
      services: ['token-refresh'],
      serviceEnv: {
        'token-refresh': {
          REFRESH_POLL_INTERVAL_MS: String(POLL_MS),
          REFRESH_LEASE_SECONDS: String(LEASE_SECONDS),
          REFRESH_BATCH_SIZE: '5',
          REFRESH_MAX_UNANSWERED: String(MAX_UNANSWERED),
        },
      },
    });
    publisher = await eventPublisher(system.kafkaBrokers, system.topicPrefix);
    expired = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenExpired.topic)] });
  });

  afterAll(async () => {
    await expired?.stop();
    await publisher?.stop();
    await system?.stop();
  });

  const announcements = (ids: string[]): TokenExpiredPayload[] =>
    expired.messages.map((m) => JSON.parse(m.value) as TokenExpiredPayload).filter((p) => ids.includes(p.connectionId));

  /** Rows announced once and not answered, with their lease running: what the bound counts. */
  const unanswered = (ids: string[]): Promise<number> =>
    withDatabase(system.databaseUrl, async (c) =>
      Number((await c.query(`SELECT count(*) FROM token_refresh.refresh_schedule WHERE connection_id = ANY($1) AND attempts = 1 AND due_at > now()`, [ids])).rows[0].count),
    );

  const ticks = (): number => system.app('token-refresh').get(DueTokenScheduler).stats.ticks;

  /** Due at once, with `remainingSeconds` of lifetime left (which bounds the first lease to a third of it). */
  const dueConnection = (remainingSeconds: number): TokenIssuedPayload => {
    const now = Date.now();
    return tokenIssued({ issuedAt: new Date(now - 3_500_000).toISOString(), expiresAt: new Date(now + remainingSeconds * 1000).toISOString() });
  };

  /** token-issuance's answer: the next credential version, valid for an hour. */
  const answer = (issued: TokenIssuedPayload): Promise<void> => {
    const issuedAt = new Date();
    return publisher.publish(TokenIssued, {
      ...issued,
      reason: 'refresh',
      credentialVersion: issued.credentialVersion + 1,
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + 3_600_000).toISOString(),
    });
  };

  const scheduled = (ids: string[]): Promise<boolean> =>
    withDatabase(system.databaseUrl, async (c) => Number((await c.query(`SELECT count(*) FROM token_refresh.refresh_schedule WHERE connection_id = ANY($1)`, [ids])).rows[0].count) === ids.length);

  it('announces a backlog as answers come back, never more than the bound at once, each connection once', async () => {
    const backlog = Array.from({ length: 10 }, () => dueConnection(100));
    const ids = backlog.map((i) => i.connectionId);
    for (const issued of backlog) await publisher.publish(TokenIssued, issued);

    const first = await waitFor(() => announcements(ids).length >= MAX_UNANSWERED && announcements(ids), { timeoutMs: 15_000, description: 'the first announcements' });
    // A few more claims find the bound full: nothing more is announced while nothing is answered.
    const ticked = ticks();
    await waitFor(() => ticks() >= ticked + 3, { description: 'three more scheduler ticks' });
    expect(await unanswered(ids)).toBe(MAX_UNANSWERED);
    expect(announcements(ids)).toHaveLength(MAX_UNANSWERED);
    const leaseEnds = Math.min(...first.map((e) => Date.parse(e.nextAttemptAt!)));

    // Answer each announcement as it comes; every answer makes room for the next due connection.
    const answered = new Set<string>();
    let most = 0;
    while (answered.size < backlog.length) {
      const next = await waitFor(() => announcements(ids).find((e) => !answered.has(e.connectionId)), { timeoutMs: 15_000, description: `announcement ${answered.size + 1}` });
      answered.add(next.connectionId);
      await answer(backlog.find((i) => i.connectionId === next.connectionId)!);
      most = Math.max(most, await unanswered(ids));
    }
    await waitFor(async () => (await unanswered(ids)) === 0, { description: 'every answer applied' });

    const events = announcements(ids);
    expect(most).toBeLessThanOrEqual(MAX_UNANSWERED);
    expect(new Set(events.map((e) => e.connectionId)).size).toBe(backlog.length);
    expect(events).toHaveLength(backlog.length);
    // The rest were announced because answers made room, not because the first leases ran out.
    expect(Math.max(...events.map((e) => Date.parse(e.detectedAt)))).toBeLessThan(leaseEnds);
    process.stdout.write(`10 due with a bound of ${MAX_UNANSWERED}: announced in ${events.length} events, at most ${most} unanswered at once\n`);
  });

  it('announces again at its lease end a TokenExpired that nobody answers, while the bound holds a newer due connection back', async () => {
    // 9 s left: the first lease is at most a third of that, so the test waits a few seconds, not 20.
    const lost = Array.from({ length: MAX_UNANSWERED }, () => dueConnection(9));
    const lostIds = lost.map((i) => i.connectionId);
    for (const issued of lost) await publisher.publish(TokenIssued, issued);
    const first = await waitFor(() => announcements(lostIds).length === MAX_UNANSWERED && announcements(lostIds), { timeoutMs: 15_000, description: 'the first announcements' });

    const waiting = dueConnection(100);
    await publisher.publish(TokenIssued, waiting);
    await waitFor(() => scheduled([waiting.connectionId]), { description: 'the newer connection scheduled' });

    const again = await waitFor(() => lostIds.every((id) => announcements([id]).length >= 2) && lostIds.map((id) => announcements([id])[1]!), {
      timeoutMs: 20_000,
      description: 'every unanswered TokenExpired announced again',
    });
    // Each again after its own lease, and all of them soon after the group's last lease end (a few
    // polls; the bound is loose because a loaded machine delays ticks, the order is what matters).
    const leaseEnds = first.map((e) => Date.parse(e.nextAttemptAt!));
    for (const repeat of again) {
      const leaseEnd = Date.parse(first.find((e) => e.connectionId === repeat.connectionId)!.nextAttemptAt!);
      expect(Date.parse(repeat.detectedAt)).toBeGreaterThanOrEqual(leaseEnd - 50);
      expect(Date.parse(repeat.detectedAt)).toBeLessThan(Math.max(...leaseEnds) + 10 * POLL_MS + 3000);
    }
    // The newer due connection waited for a lease to end: the bound was full until then.
    const [held] = await waitFor(() => announcements([waiting.connectionId]).length > 0 && announcements([waiting.connectionId]), { timeoutMs: 15_000, description: 'the newer connection announced' });
    expect(Date.parse(held!.detectedAt)).toBeGreaterThanOrEqual(Math.min(...leaseEnds) - 50);

    for (const { connectionId, workspaceId, connectorId, endUserId } of [...lost, waiting]) {
      await publisher.publish(ConnectionDeleted, { connectionId, workspaceId, connectorId, endUserId, revocation: 'revoked', deletedAt: new Date().toISOString() });
    }
  });
});
