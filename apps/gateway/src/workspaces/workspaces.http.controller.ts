import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { notFound } from '@cb/platform';
import { ApiKeyListResponseDto, CreatedApiKeyResponseDto } from '../api-keys/api-key.response.dto';
import { ApiKeys } from '../api-keys/api-keys';
import { CreateApiKeyRequestDto } from '../api-keys/create-api-key.request.dto';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { ErrorBodyDoc } from '../openapi/error-body.docs.dto';
import { isUuid } from '../upstream/path-params';
import { CreateWorkspaceRequestDto, toWorkspaceResponse, WorkspaceListResponseDto, WorkspaceResponseDto } from './workspace.dto';
import { WorkspaceEntity } from './workspace.entity';

/**
 * Workspaces and the keys of any workspace, for an operator key (scope `operator`, given by the CLI's
 * `create-workspace --operator` or by another operator key). A workspace's own admin keys manage
 * only their workspace, through `/v1/api-keys`.
 */
@ApiTags('workspaces')
@ApiBearerAuth()
@RequireScopes('operator')
@Controller('v1/workspaces')
export class WorkspacesHttpController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeys,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a workspace, without keys (scope `operator`); then create its first key under `/v1/workspaces/{id}/api-keys`' })
  @ApiCreatedResponse({ type: WorkspaceResponseDto })
  async create(@Body() body: CreateWorkspaceRequestDto): Promise<WorkspaceResponseDto> {
    const id = randomUUID();
    await this.dataSource.getRepository(WorkspaceEntity).insert({ id, name: body.name.trim() });
    return toWorkspaceResponse(await this.dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id }));
  }

  @Get()
  @ApiOperation({ summary: 'List every workspace, oldest first (scope `operator`)' })
  @ApiOkResponse({ type: WorkspaceListResponseDto })
  async list(): Promise<WorkspaceListResponseDto> {
    const workspaces = await this.dataSource.getRepository(WorkspaceEntity).find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return { items: workspaces.map(toWorkspaceResponse) };
  }

  @Get(':id/api-keys')
  @ApiOperation({ summary: "List a workspace's API keys, never their secrets (scope `operator`)" })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  async listKeys(@Param('id') id: string): Promise<ApiKeyListResponseDto> {
    return { items: await this.keys.list(await this.existing(id)) };
  }

  @Post(':id/api-keys')
  @ApiOperation({ summary: "Create an API key in a workspace; the full key is returned once (scope `operator`)" })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  async createKey(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: CreateApiKeyRequestDto): Promise<CreatedApiKeyResponseDto> {
    return this.keys.create(caller, await this.existing(id), body);
  }

  @Delete(':id/api-keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke a workspace's API key; it stops working at once (scope `operator`)" })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  async revokeKey(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Param('keyId') keyId: string): Promise<void> {
    await this.keys.revoke(caller, await this.existing(id), keyId);
  }

  private async existing(id: string): Promise<string> {
    if (!isUuid(id) || !(await this.dataSource.getRepository(WorkspaceEntity).existsBy({ id }))) throw notFound('workspace');
    return id;
  }
}
