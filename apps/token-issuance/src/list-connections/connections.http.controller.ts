import { Controller, Get, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { InternalApiGuard, notFound } from '@cb/platform';
import { ConnectorHealthRepository } from '../connectors/connector-health.repository';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { ProxyCallService } from '../proxy/proxy-call.service';
import { RefreshStateRepository } from '../refresh-token/refresh-state.repository';
import { ConnectionView, toConnectionView } from './connection.mapper';
import { ListConnectionsRequestDto } from './list-connections.request.dto';

export const uuidParam = (what: string): ParseUUIDPipe => new ParseUUIDPipe({ exceptionFactory: () => notFound(what) });

@Controller('internal/v1/workspaces/:workspaceId/connections')
@UseGuards(InternalApiGuard)
export class ConnectionsHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly refreshStates: RefreshStateRepository,
    private readonly health: ConnectorHealthRepository,
    private readonly proxyCalls: ProxyCallService,
  ) {}

  @Get()
  async list(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Query() query: ListConnectionsRequestDto,
  ): Promise<{ items: ConnectionView[]; total: number; limit: number; offset: number; nextOffset: number | null }> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const [rows, total] = await this.dataSource.getRepository(ConnectionEntity).findAndCount({
      where: {
        workspaceId,
        ...(query.connectorId ? { connectorId: query.connectorId } : {}),
        ...(query.endUserId ? { endUserId: query.endUserId } : {}),
        ...(query.status ? { status: query.status } : {}),
      },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    const connectorIds = [...new Set(rows.map((row) => row.connectorId))];
    const connectors = connectorIds.length ? await this.dataSource.getRepository(ConnectorEntity).findBy({ connectorId: In(connectorIds) }) : [];
    const byId = new Map(connectors.map((c) => [c.connectorId, c]));
    const states = new Map((await this.refreshStates.findMany(this.dataSource.manager, rows.map((row) => row.id))).map((state) => [state.connectionId, state]));
    const health = new Map(await Promise.all(connectorIds.map(async (id) => [id, await this.health.find(this.dataSource.manager, id)] as const)));
    return {
      items: rows.map((row) => toConnectionView(row, byId.get(row.connectorId), states.get(row.id), health.get(row.connectorId))),
      total,
      limit,
      offset,
      nextOffset: offset + rows.length < total ? offset + rows.length : null,
    };
  }

  @Get(':connectionId')
  async get(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('connectionId', uuidParam('connection')) connectionId: string,
  ): Promise<ConnectionView & { proxyCalls: number }> {
    const connection = await this.dataSource.getRepository(ConnectionEntity).findOne({ where: { id: connectionId, workspaceId } });
    if (!connection) throw notFound('connection');
    const connector = await this.dataSource.getRepository(ConnectorEntity).findOne({ where: { connectorId: connection.connectorId } });
    const health = await this.health.find(this.dataSource.manager, connection.connectorId);
    const view = toConnectionView(connection, connector, await this.refreshStates.find(this.dataSource.manager, connection.id), health);
    // One indexed count for one connection; the list leaves it out rather than count per item.
    return { ...view, proxyCalls: await this.proxyCalls.countCalls(workspaceId, connectionId) };
  }
}
