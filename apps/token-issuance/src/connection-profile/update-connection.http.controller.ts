import { Body, Controller, Param, Patch, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InternalApiGuard, notFound } from '@cb/platform';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { ConnectionView } from '../list-connections/connection.mapper';
import { ConnectionViews } from '../list-connections/connection-views';
import { uuidParam } from '../list-connections/connections.http.controller';
import { parseConnectionPatch } from './connection-patch';
import { ConnectionProfiles } from './connection-profiles';

/** Sets what the product keeps with a connection: metadata, tags, end user details (a merge patch). */
@Controller('internal/v1/workspaces/:workspaceId/connections')
@UseGuards(InternalApiGuard)
export class UpdateConnectionHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly profiles: ConnectionProfiles,
    private readonly views: ConnectionViews,
  ) {}

  @Patch(':connectionId')
  async update(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('connectionId', uuidParam('connection')) connectionId: string,
    @Body() body: unknown,
  ): Promise<ConnectionView> {
    const patch = parseConnectionPatch(body);
    const connection = await this.dataSource.transaction(async (manager) => {
      const found = await manager.getRepository(ConnectionEntity).findOne({ where: { id: connectionId, workspaceId } });
      if (!found) throw notFound('connection');
      await this.profiles.apply(manager, found, patch);
      return found;
    });
    return this.views.one(connection);
  }
}
