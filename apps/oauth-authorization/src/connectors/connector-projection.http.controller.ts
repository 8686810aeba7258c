import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InternalApiGuard, notFound } from '@cb/platform';
import { uuidParam } from '../connect-sessions/connect-sessions.http.controller';
import { ConnectorEntity } from './connector.entity';

export interface ConnectorProjectionView {
  connectorId: string;
  version: number;
  active: boolean;
}

/** How far this service's connector projection has come: the gateway waits on it after an activation. */
@Controller('internal/v1')
@UseGuards(InternalApiGuard)
export class ConnectorProjectionHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('workspaces/:workspaceId/connectors/:connectorId/projection')
  async get(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('connectorId', uuidParam('connector')) connectorId: string,
  ): Promise<ConnectorProjectionView> {
    const connector = await this.dataSource.getRepository(ConnectorEntity).findOne({ where: { connectorId, workspaceId }, select: { connectorId: true, version: true, active: true } });
    if (!connector) throw notFound('connector');
    return { connectorId: connector.connectorId, version: connector.version, active: connector.active };
  }
}
