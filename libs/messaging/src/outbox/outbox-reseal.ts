import { DataSource } from 'typeorm';
import { EVENT_CATALOG } from '@cb/events';
import type { Keyring } from '@cb/vault-crypto';

interface OutboxRow {
  seq: string;
  topic: string;
  message_key: string;
  payload: Record<string, unknown>;
}

/** Applies `change` to every string under a member whose name starts with `sealed`. */
function mapSealed(value: unknown, change: (sealed: string) => string, inside = false): unknown {
  if (typeof value === 'string') return inside ? change(value) : value;
  if (Array.isArray(value)) return value.map((item) => mapSealed(item, change, inside));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, mapSealed(member, change, inside || name.startsWith('sealed'))]));
  }
  return value;
}

/**
 * Re-seals the sealed members of a schema's outbox payloads (AAD `<EventName>:<message key>`) under
 * the primary key, so that events not yet published, and published ones kept for replay, stay
 * readable once an old key is removed. Returns how many rows changed.
 */
export async function resealOutbox(dataSource: DataSource, schema: string, keyring: Keyring): Promise<number> {
  let resealed = 0;
  let after = '0';
  for (;;) {
    const page: OutboxRow[] = await dataSource.query(
      `SELECT seq::text AS seq, topic, message_key, payload FROM "${schema}".outbox WHERE seq > $1 AND payload::text LIKE '%"sealed%' ORDER BY seq LIMIT 200`,
      [after],
    );
    if (page.length === 0) return resealed;
    after = page[page.length - 1]?.seq ?? after;
    for (const row of page) {
      const definition = EVENT_CATALOG.find((d) => row.topic.endsWith(d.topic));
      if (!definition) continue;
      const context = `${definition.name}:${row.message_key}`;
      let stale = false;
      mapSealed(row.payload, (sealed) => ((stale ||= keyring.needsRotation(sealed)), sealed));
      if (!stale) continue;
      const payload = mapSealed(row.payload, (sealed) => (keyring.needsRotation(sealed) ? keyring.seal(keyring.open(sealed, context), context) : sealed));
      await dataSource.query(`UPDATE "${schema}".outbox SET payload = $2::jsonb WHERE seq = $1::bigint`, [row.seq, JSON.stringify(payload)]);
      resealed += 1;
    }
  }
}
