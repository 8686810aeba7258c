import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InternalApiGuard, notFound } from '@cb/platform';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { ChangedPath, ConnectorChangeAction, ConnectorChangeEntity } from './connector-change.entity';

export interface ConnectorChangeResponse {
  id: string;
  connectorId: string;
  version: number;
  action: ConnectorChangeAction;
  actor: string;
  changedAt: string;
  changes: ChangedPath[];
}

const MAX_CHANGES = 500;

/** A connector's audit trail, newest first; still readable after the connector is deleted. */
@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class ConnectorChangesHttpController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get(':id/changes')
  async list(@Param('workspaceId') workspaceId: string, @Param('id') id: string): Promise<{ items: ConnectorChangeResponse[] }> {
    const rows = await this.dataSource.getRepository(ConnectorChangeEntity).find({
      where: { workspaceId, connectorId: id },
      order: { changedAt: 'DESC', id: 'DESC' },
      take: MAX_CHANGES,
    });
    if (rows.length === 0) throw notFound('connector');
    return {
      items: rows.map((row) => ({ id: row.id, connectorId: row.connectorId, version: row.version, action: row.action, actor: row.actor, changedAt: row.changedAt.toISOString(), changes: row.changes })),
    };
  }
}
