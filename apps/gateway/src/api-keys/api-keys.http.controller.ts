import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { ErrorBodyDoc } from '../openapi/error-body.docs.dto';
import { ApiKeyListResponseDto, CreatedApiKeyResponseDto } from './api-key.response.dto';
import { ApiKeys } from './api-keys';
import { CreateApiKeyRequestDto } from './create-api-key.request.dto';

@ApiTags('api-keys')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/api-keys')
export class ApiKeysHttpController {
  constructor(private readonly keys: ApiKeys) {}

  @Get()
  @ApiOperation({ summary: "List the workspace's API keys (never their secrets)" })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  async list(@CurrentWorkspace() caller: WorkspaceContext): Promise<ApiKeyListResponseDto> {
    return { items: await this.keys.list(caller.workspaceId) };
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; the full key is returned once', description: 'The `operator` scope can be given only by a key that holds it (403 `forbidden` otherwise).' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiForbiddenResponse({ type: ErrorBodyDoc, description: '`forbidden`: the key lacks `admin`, or asks for `operator` without holding it' })
  create(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: CreateApiKeyRequestDto): Promise<CreatedApiKeyResponseDto> {
    return this.keys.create(caller, caller.workspaceId, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiNoContentResponse()
  async revoke(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(caller, caller.workspaceId, id);
  }
}
