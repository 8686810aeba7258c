import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { notFound } from '@cb/platform';
import { ApiKeyCache, type WorkspaceContext } from '../auth';
import { recordApiKeyEvent } from '../audit/api-key-events';
import { forbidden } from '../gateway.errors';
import { isUuid } from '../upstream/path-params';
import { ApiKeyEntity } from '../workspaces/api-key.entity';
import { issueApiKey } from '../workspaces/create-workspace';
import { toApiKeyResponse, type ApiKeyResponseDto, type CreatedApiKeyResponseDto } from './api-key.response.dto';
import type { CreateApiKeyRequestDto } from './create-api-key.request.dto';

/**
 * A workspace's keys, for its own admin (`/v1/api-keys`) and for an operator (`/v1/workspaces/{id}/api-keys`).
 * Creation and revocation are audited in their transaction, by the calling key.
 */
@Injectable()
export class ApiKeys {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeyCache,
  ) {}

  async list(workspaceId: string): Promise<ApiKeyResponseDto[]> {
    const keys = await this.dataSource.getRepository(ApiKeyEntity).find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return keys.map(toApiKeyResponse);
  }

  /** Only an operator key gives the `operator` scope: 403 `forbidden` otherwise. */
  async create(caller: WorkspaceContext, workspaceId: string, body: CreateApiKeyRequestDto): Promise<CreatedApiKeyResponseDto> {
    if (body.scopes.includes('operator') && !caller.scopes.includes('operator')) throw forbidden(['operator']);
    const issued = await this.dataSource.transaction((manager) => issueApiKey(manager, workspaceId, body.name, body.scopes, caller.apiKeyId));
    const stored = await this.dataSource.getRepository(ApiKeyEntity).findOneByOrFail({ id: issued.id });
    return { ...toApiKeyResponse(stored), apiKey: issued.apiKey };
  }

  /** Stops the key at once, on every gateway instance; revoking a revoked key changes nothing. */
  async revoke(caller: WorkspaceContext, workspaceId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('api key');
    const revoked = await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(ApiKeyEntity).update({ id, workspaceId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      if (!result.affected) return false;
      const key = await manager.getRepository(ApiKeyEntity).findOneByOrFail({ id });
      await recordApiKeyEvent(manager, { workspaceId, apiKeyId: id, actorApiKeyId: caller.apiKeyId, action: 'revoked', name: key.name, scopes: key.scopes });
      return true;
    });
    this.keys.forgetAll();
    if (!revoked) {
      const exists = await this.dataSource.getRepository(ApiKeyEntity).existsBy({ id, workspaceId });
      if (!exists) throw notFound('api key');
    }
  }
}
