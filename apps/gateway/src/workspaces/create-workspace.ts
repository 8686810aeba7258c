import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { generateApiKey } from '../auth/api-key-format';
import { ApiKeyScope, WORKSPACE_SCOPES } from '../auth/scopes';
import { recordApiKeyEvent } from '../audit/api-key-events';
import { ApiKeyEntity } from './api-key.entity';
import { WorkspaceEntity } from './workspace.entity';

export interface IssuedApiKey {
  id: string;
  /** The full key: shown once, never stored. */
  apiKey: string;
  entity: ApiKeyEntity;
}

/**
 * Stores a new key for a workspace and returns it in full, the only time it is visible; audits the
 * creation in the same transaction (`actorApiKeyId` null: the CLI).
 */
export async function issueApiKey(manager: EntityManager, workspaceId: string, name: string, scopes: readonly ApiKeyScope[], actorApiKeyId: string | null): Promise<IssuedApiKey> {
  const { key, publicId, secretHash } = generateApiKey();
  const entity = manager.create(ApiKeyEntity, { id: randomUUID(), workspaceId, publicId, secretHash, name, scopes: [...new Set(scopes)], lastUsedAt: null, revokedAt: null });
  await manager.insert(ApiKeyEntity, entity);
  await recordApiKeyEvent(manager, { workspaceId, apiKeyId: entity.id, actorApiKeyId, action: 'created', name, scopes: entity.scopes });
  return { id: entity.id, apiKey: key, entity };
}

/**
 * Creates a workspace and its first key, holding every workspace scope (not `operator`, unless
 * asked: the CLI's `--operator`). Used by the CLI and by tests.
 */
export async function createWorkspaceWithAdminKey(dataSource: DataSource, name: string, options: { operator?: boolean } = {}): Promise<{ workspaceId: string; apiKey: string; apiKeyId: string }> {
  return dataSource.transaction(async (manager) => {
    const workspaceId = randomUUID();
    await manager.insert(WorkspaceEntity, { id: workspaceId, name });
    const scopes: ApiKeyScope[] = options.operator ? [...WORKSPACE_SCOPES, 'operator'] : [...WORKSPACE_SCOPES];
    const issued = await issueApiKey(manager, workspaceId, options.operator ? 'operator' : 'admin', scopes, null);
    return { workspaceId, apiKey: issued.apiKey, apiKeyId: issued.id };
  });
}
