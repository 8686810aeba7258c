import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { uuidParam } from '../list-connections/connections.http.controller';
import { DisconnectConnection, DisconnectResult } from './disconnect-connection.service';
import { InternalApiGuard } from '@cb/platform';

@Controller('internal/v1/workspaces/:workspaceId/connections')
@UseGuards(InternalApiGuard)
export class DeleteConnectionHttpController {
  constructor(private readonly disconnect: DisconnectConnection) {}

  /** Revokes at the provider when possible, destroys the stored secrets, emits ConnectionDeleted. */
  @Delete(':connectionId')
  @HttpCode(200)
  async delete(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('connectionId', uuidParam('connection')) connectionId: string,
  ): Promise<DisconnectResult> {
    return this.disconnect.disconnect(workspaceId, connectionId);
  }
}
