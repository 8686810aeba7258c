import type { EntityManager } from 'typeorm';
import { schemaOf, type AuditBranch, type PruneTarget } from '@cb/platform';

export type ApiKeyEventAction = 'created' | 'revoked';

/** Records a key's creation or revocation in the caller's transaction; `actorApiKeyId` null is the CLI. */
export async function recordApiKeyEvent(
  manager: EntityManager,
  event: { workspaceId: string; apiKeyId: string; actorApiKeyId: string | null; action: ApiKeyEventAction; name: string; scopes: readonly string[] },
): Promise<void> {
  await manager.query(`INSERT INTO "${schemaOf(manager)}".api_key_events (workspace_id, api_key_id, actor_api_key_id, action, name, scopes) VALUES ($1, $2, $3, $4, $5, $6)`, [
    event.workspaceId,
    event.apiKeyId,
    event.actorApiKeyId,
    event.action,
    event.name,
    [...event.scopes],
  ]);
}

/** The gateway's part of the audit: the acting key is `apiKeyId`; the key acted on is `details.keyId` (the `apiKeyId` filter matches either). */
export function gatewayAuditBranches(schema: string): AuditBranch[] {
  return [
    {
      kinds: ['api_key_created', 'api_key_revoked'],
      kind: `('api_key_' || e.action)`,
      from: `"${schema}".api_key_events e`,
      workspaceId: 'e.workspace_id',
      id: `'ak_' || e.id`,
      at: 'e.at',
      apiKeyId: 'e.actor_api_key_id',
      alsoMatchesApiKey: 'e.api_key_id',
      connectionId: 'NULL',
      connectorId: 'NULL',
      details: `jsonb_build_object('keyId', e.api_key_id, 'name', e.name, 'scopes', to_jsonb(e.scopes))`,
    },
  ];
}

/** What the retention prunes (AUDIT_RETENTION_DAYS). */
export function auditTables(schema: string): PruneTarget[] {
  return [{ table: `"${schema}".api_key_events`, timeColumn: 'at', idColumn: 'id' }];
}
