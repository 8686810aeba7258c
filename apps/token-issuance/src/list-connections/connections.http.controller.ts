import { Controller, Get, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InternalApiGuard, notFound, validationFailed } from '@cb/platform';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { ProxyCallService } from '../proxy/proxy-call.service';
import { applyCursor, applyListFilters, encodeCursor } from './connection-list-query';
import { ConnectionView } from './connection.mapper';
import { ConnectionViews } from './connection-views';
import { ListConnectionsRequestDto } from './list-connections.request.dto';

export const uuidParam = (what: string): ParseUUIDPipe => new ParseUUIDPipe({ exceptionFactory: () => notFound(what) });

const DEFAULT_LIMIT = 20;

export interface ConnectionPage {
  items: ConnectionView[];
  total: number;
  limit: number;
  offset: number;
  /** Offset paging (kept for existing callers); null when paging by cursor or on the last page. */
  nextOffset: number | null;
  nextCursor: string | null;
}

@Controller('internal/v1/workspaces/:workspaceId/connections')
@UseGuards(InternalApiGuard)
export class ConnectionsHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly views: ConnectionViews,
    private readonly proxyCalls: ProxyCallService,
  ) {}

  /** Oldest first, by (createdAt, id); `nextCursor` continues after the last item shown. */
  @Get()
  async list(@Param('workspaceId', uuidParam('workspace')) workspaceId: string, @Query() query: ListConnectionsRequestDto): Promise<ConnectionPage> {
    if (query.cursor !== undefined && query.offset !== undefined) throw validationFailed([{ path: 'offset', message: 'offset cannot be combined with cursor' }]);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const offset = query.offset ?? 0;
    const builder = applyListFilters(this.dataSource.getRepository(ConnectionEntity).createQueryBuilder('c'), workspaceId, query);
    const total = await builder.clone().getCount();
    if (query.cursor !== undefined) applyCursor(builder, query.cursor);
    const rows = await builder.orderBy('c.created_at', 'ASC').addOrderBy('c.id', 'ASC').offset(offset).limit(limit + 1).getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.views.of(page),
      total,
      limit,
      offset,
      nextOffset: query.cursor === undefined && rows.length > limit ? offset + page.length : null,
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  @Get(':connectionId')
  async get(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('connectionId', uuidParam('connection')) connectionId: string,
  ): Promise<ConnectionView & { proxyCalls: number }> {
    const connection = await this.dataSource.getRepository(ConnectionEntity).findOne({ where: { id: connectionId, workspaceId } });
    if (!connection) throw notFound('connection');
    // One indexed count for one connection; the list leaves it out rather than count per item.
    return { ...(await this.views.one(connection)), proxyCalls: await this.proxyCalls.countCalls(workspaceId, connectionId) };
  }
}
