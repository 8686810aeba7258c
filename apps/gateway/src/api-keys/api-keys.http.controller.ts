import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { notFound } from '@cb/platform';
import { ApiKeyCache, CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { ApiKeyEntity } from '../workspaces/api-key.entity';
import { issueApiKey } from '../workspaces/create-workspace';
import { ApiKeyListResponseDto, CreatedApiKeyResponseDto, toApiKeyResponse } from './api-key.response.dto';
import { CreateApiKeyRequestDto } from './create-api-key.request.dto';
import { isUuid } from '../upstream/path-params';
import { recordApiKeyEvent } from '../audit/api-key-events';

@ApiTags('api-keys')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/api-keys')
export class ApiKeysHttpController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeyCache,
  ) {}

  @Get()
  @ApiOperation({ summary: "List the workspace's API keys (never their secrets)" })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  async list(@CurrentWorkspace() caller: WorkspaceContext): Promise<ApiKeyListResponseDto> {
    const keys = await this.dataSource.getRepository(ApiKeyEntity).find({ where: { workspaceId: caller.workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return { items: keys.map(toApiKeyResponse) };
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; the full key is returned once' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  async create(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: CreateApiKeyRequestDto): Promise<CreatedApiKeyResponseDto> {
    const issued = await this.dataSource.transaction((manager) => issueApiKey(manager, caller.workspaceId, body.name, body.scopes, caller.apiKeyId));
    const stored = await this.dataSource.getRepository(ApiKeyEntity).findOneByOrFail({ id: issued.id });
    return { ...toApiKeyResponse(stored), apiKey: issued.apiKey };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiNoContentResponse()
  async revoke(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('api key');
    const revoked = await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(ApiKeyEntity).update({ id, workspaceId: caller.workspaceId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      if (!result.affected) return false;
      const key = await manager.getRepository(ApiKeyEntity).findOneByOrFail({ id });
      await recordApiKeyEvent(manager, { workspaceId: caller.workspaceId, apiKeyId: id, actorApiKeyId: caller.apiKeyId, action: 'revoked', name: key.name, scopes: key.scopes });
      return true;
    });
    this.keys.forgetAll();
    if (!revoked) {
      const exists = await this.dataSource.getRepository(ApiKeyEntity).existsBy({ id, workspaceId: caller.workspaceId });
      if (!exists) throw notFound('api key');
    }
  }
}

