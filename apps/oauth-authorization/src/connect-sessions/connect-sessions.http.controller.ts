import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, notFound } from '@cb/platform';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectSessionEntity } from './connect-session.entity';
import { ConnectSessionView, toSessionView, toUiSessionView } from './connect-session.mapper';
import { OpenConnectSessionRequestDto } from './open-connect-session.request.dto';
import { OpenConnectSessionService, OpenedSession } from './open-connect-session.service';
import { hashToken } from './session-token';
import { InternalGuard } from '../internal.guard';

export const uuidParam = (what: string): ParseUUIDPipe => new ParseUUIDPipe({ exceptionFactory: () => notFound(what) });

@Controller('internal/v1')
@UseGuards(InternalGuard)
export class ConnectSessionsHttpController {
  constructor(
    private readonly openSession: OpenConnectSessionService,
    private readonly dataSource: DataSource,
  ) {}

  @Post('workspaces/:workspaceId/connect-sessions')
  @HttpCode(201)
  open(@Param('workspaceId', uuidParam('workspace')) workspaceId: string, @Body() body: OpenConnectSessionRequestDto): Promise<OpenedSession> {
    return this.openSession.open(workspaceId, body);
  }

  @Get('workspaces/:workspaceId/connect-sessions/:sessionId')
  async get(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('sessionId', uuidParam('connect session')) sessionId: string,
  ): Promise<ConnectSessionView> {
    const session = await this.dataSource.getRepository(ConnectSessionEntity).findOne({ where: { id: sessionId, workspaceId } });
    if (!session) throw notFound('connect session');
    return toSessionView(session);
  }

  /** For the connect UI, which holds only the session token. */
  @Get('connect/session')
  async bySessionToken(@Headers('x-connect-session') token: string | undefined): Promise<object> {
    const session = await findSessionByToken(this.dataSource, token);
    const connector = await this.dataSource.getRepository(ConnectorEntity).findOne({ where: { connectorId: session.connectorId } });
    return toUiSessionView(session, connector);
  }
}

export async function findSessionByToken(dataSource: DataSource, token: string | undefined, lock = false): Promise<ConnectSessionEntity> {
  if (!token || token.length > 256) throw new AppError('invalid_session_token', 'connect session token missing or invalid', 401);
  const session = await dataSource
    .getRepository(ConnectSessionEntity)
    .findOne({ where: { tokenHash: hashToken(token) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!session) throw new AppError('invalid_session_token', 'connect session token missing or invalid', 401);
  return session;
}
