import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InternalApiGuard, validationFailed } from '@cb/platform';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectorResponse, toConnectorResponse } from '../connectors/connector.mapper';
import { ConnectorStore } from '../connectors/connector.store';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { ListConnectorsQueryDto } from './list-connectors.query.dto';

const DEFAULT_LIMIT = 20;

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class QueryConnectorsHttpController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ConnectorStore,
  ) {}

  /** Newest first; `nextCursor` (opaque) continues after the last item shown. */
  @Get()
  async list(@Param('workspaceId') workspaceId: string, @Query() query: ListConnectorsQueryDto): Promise<{ items: ConnectorResponse[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const builder = this.dataSource
      .getRepository(ConnectorEntity)
      .createQueryBuilder('c')
      .where('c.workspace_id = :workspaceId', { workspaceId })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .take(limit + 1);
    if (query.mode) builder.andWhere('c.mode = :mode', { mode: query.mode });
    if (query.status) builder.andWhere('c.status = :status', { status: query.status });
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      builder.andWhere('(c.created_at, c.id) < (:createdAt, :id)', after);
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toConnectorResponse), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  @Get(':id')
  async get(@Param('workspaceId') workspaceId: string, @Param('id') id: string): Promise<ConnectorResponse> {
    return toConnectorResponse(await this.store.findOrFail(this.dataSource.manager, workspaceId, id));
  }
}

function encodeCursor(connector: ConnectorEntity): string {
  return Buffer.from(JSON.stringify([connector.createdAt.toISOString(), connector.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return { createdAt, id };
  } catch {
    // falls through to the validation error
  }
  throw validationFailed([{ path: 'cursor', message: 'cursor is not one this API returned' }]);
}
