/**
 * Where events stand when a fault test waits in vain: each outbox's unpublished rows, each consumer
 * group's state and lag, connect sessions by status, and what the services logged last about trouble
 * and recovery.
 * Printed by a test before it fails, so that a stall seen once in CI leaves its evidence behind.
 */
import { createKafka } from '@cb/messaging';
import { withDb } from '../hostile/hostile-support';
import type { ProcessSystem } from './process-system';

const SCHEMAS = ['connector_config', 'oauth_authorization', 'token_issuance', 'token_refresh'];
const RECENT_LOG_LINES = 125;

export async function deliveryState(system: ProcessSystem): Promise<string> {
  const parts = await Promise.all([outboxes(system), consumerGroups(system), sessions(system)].map((part) => part.catch((error: Error) => `(unavailable: ${error.message})`)));
  return ['--- delivery state ---', ...parts, recentWarnings(system), '--- end of delivery state ---'].join('\n');
}

async function outboxes(system: ProcessSystem): Promise<string> {
  const rows = await withDb(system.databaseUrl, async (db) =>
    (
      await db.query<{ schema: string; pending: number; oldest: number | null }>(
        SCHEMAS.map(
          (schema) => `SELECT '${schema}' AS schema, count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::int AS oldest FROM "${schema}".outbox WHERE published_at IS NULL`,
        ).join(' UNION ALL '),
      )
    ).rows,
  );
  return `outboxes, unpublished (oldest s): ${rows.map((r) => `${r.schema} ${r.pending} (${r.oldest ?? '-'})`).join(', ')}`;
}

async function consumerGroups(system: ProcessSystem): Promise<string> {
  const admin = createKafka('delivery-state', system.kafkaBrokers).admin();
  await admin.connect();
  try {
    const groupIds = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(system.topicPrefix));
    const { groups } = await admin.describeGroups(groupIds);
    const lines = await Promise.all(
      groups.map(async (group) => {
        const committed = await admin.fetchOffsets({ groupId: group.groupId });
        let lag = 0;
        for (const { topic, partitions } of committed) {
          const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
          for (const p of partitions) lag += (ends.get(p.partition) ?? 0) - Math.max(0, Number(p.offset));
        }
        return `  ${group.groupId.slice(system.topicPrefix.length)}: ${group.state}, ${group.members.length} member(s), lag ${lag}`;
      }),
    );
    return ['consumer groups:', ...lines].join('\n');
  } finally {
    await admin.disconnect();
  }
}

async function sessions(system: ProcessSystem): Promise<string> {
  const rows = await withDb(system.databaseUrl, async (db) => (await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM oauth_authorization.connect_sessions GROUP BY status')).rows);
  return `connect sessions: ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}`;
}

function recentWarnings(system: ProcessSystem): string {
  const warnings = system
    .logs()
    .split('\n')
    .filter((line) => /"level":(4|5)0/.test(line) || /Kafka consumer joined|outbox relay publishing again/.test(line));
  return [`service warnings, errors, consumer joins and relay recoveries (last ${RECENT_LOG_LINES} of ${warnings.length}):`, ...warnings.slice(-RECENT_LOG_LINES).map((l) => `  ${l.slice(0, 400)}`)].join('\n');
}
