import { DataSource } from 'typeorm';
import type { Keyring } from '@cb/vault-crypto';
import { WebhookTables } from '../webhook-tables';
import { WebhookSecrets } from './webhook-secrets';

interface SealedRow {
  id: string;
  sealed_secret: string;
  previous_sealed_secret: string | null;
}

/**
 * Re-seals every endpoint's signing secrets (the current one, and the previous one while it may
 * still sign) that were sealed under a key other than the primary one. Each row is re-read under
 * `FOR UPDATE`, so a rotation meanwhile is re-checked, never overwritten. Returns how many rows changed.
 */
export async function resealWebhookSecrets(dataSource: DataSource, keyring: Keyring, schema: string): Promise<number> {
  const { endpoints } = new WebhookTables(schema);
  const secrets = new WebhookSecrets(keyring);
  const stale = (row: SealedRow): boolean => keyring.needsRotation(row.sealed_secret) || (row.previous_sealed_secret !== null && keyring.needsRotation(row.previous_sealed_secret));
  const rows: SealedRow[] = await dataSource.query(`SELECT id, sealed_secret, previous_sealed_secret FROM ${endpoints} ORDER BY id`);
  let resealed = 0;
  for (const candidate of rows.filter(stale)) {
    resealed += await dataSource.transaction(async (manager) => {
      const locked: SealedRow[] = await manager.query(`SELECT id, sealed_secret, previous_sealed_secret FROM ${endpoints} WHERE id = $1 FOR UPDATE`, [candidate.id]);
      const row = locked[0];
      if (!row || !stale(row)) return 0;
      const previous = row.previous_sealed_secret === null ? null : secrets.seal(row.id, secrets.open(row.id, row.previous_sealed_secret));
      await manager.query(`UPDATE ${endpoints} SET sealed_secret = $2, previous_sealed_secret = $3 WHERE id = $1`, [row.id, secrets.seal(row.id, secrets.open(row.id, row.sealed_secret)), previous]);
      return 1;
    });
  }
  return resealed;
}
