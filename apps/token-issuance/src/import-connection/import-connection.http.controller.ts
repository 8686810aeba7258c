import { Body, Controller, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { ConnectionView } from '../list-connections/connection.mapper';
import { ConnectionViews } from '../list-connections/connection-views';
import { uuidParam } from '../list-connections/connections.http.controller';
import { API_KEY_ID_HEADER } from '../read-credential/read-credential.route';
import { callerUnknown } from '../token-issuance.errors';
import { ImportConnectionRequestDto } from './import-connection.request.dto';
import { ImportConnectionService } from './import-connection.service';

@Controller('internal/v1/workspaces/:workspaceId/connections')
@UseGuards(InternalApiGuard)
export class ImportConnectionHttpController {
  constructor(
    private readonly importConnection: ImportConnectionService,
    private readonly views: ConnectionViews,
  ) {}

  @Post('import')
  @HttpCode(201)
  async import(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Headers(API_KEY_ID_HEADER) apiKeyId: string | undefined,
    @Body() body: ImportConnectionRequestDto,
  ): Promise<ConnectionView> {
    if (typeof apiKeyId !== 'string' || apiKeyId.length === 0 || apiKeyId.length > 128) throw callerUnknown(API_KEY_ID_HEADER);
    return this.views.one(await this.importConnection.import(workspaceId, apiKeyId, body));
  }
}
