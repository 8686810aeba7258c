import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InternalApiGuard, notFound } from '@cb/platform';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectSessionEntity } from './connect-session.entity';
import { ConnectSessionView, toSessionView, toUiSessionView } from './connect-session.mapper';
import { OpenConnectSessionRequestDto } from './open-connect-session.request.dto';
import { OpenConnectSessionService, OpenedSession } from './open-connect-session.service';
import { findSessionByToken } from './find-session';

export const uuidParam = (what: string): ParseUUIDPipe => new ParseUUIDPipe({ exceptionFactory: () => notFound(what) });

@Controller('internal/v1')
@UseGuards(InternalApiGuard)
export class ConnectSessionsHttpController {
  constructor(
    private readonly openSession: OpenConnectSessionService,
    private readonly dataSource: DataSource,
  ) {}

  @Post('workspaces/:workspaceId/connect-sessions')
  @HttpCode(201)
  open(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Body() body: OpenConnectSessionRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<OpenedSession> {
    return this.openSession.open(workspaceId, body, idempotencyKey);
  }

  /** `?waitSeconds=N` (at most 25) holds the answer until the session leaves `pending`: a long poll for SDKs. */
  @Get('workspaces/:workspaceId/connect-sessions/:sessionId')
  async get(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('sessionId', uuidParam('connect session')) sessionId: string,
    @Query('waitSeconds') waitSeconds?: string,
  ): Promise<ConnectSessionView> {
    const deadline = Date.now() + waitSecondsFrom(waitSeconds) * 1000;
    for (;;) {
      const session = await this.dataSource.getRepository(ConnectSessionEntity).findOne({ where: { id: sessionId, workspaceId } });
      if (!session) throw notFound('connect session');
      const view = toSessionView(session);
      if (view.status !== 'pending' || Date.now() >= deadline) return view;
      await new Promise((resolve) => setTimeout(resolve, LONG_POLL_INTERVAL_MS));
    }
  }

  /** For the connect UI, which holds only the session token. */
  @Get('connect/session')
  async bySessionToken(@Headers('x-connect-session') token: string | undefined): Promise<object> {
    const session = await findSessionByToken(this.dataSource, token);
    const connector = await this.dataSource.getRepository(ConnectorEntity).findOne({ where: { connectorId: session.connectorId } });
    return toUiSessionView(session, connector);
  }

  /** A fresh authorization URL for the connect dialog's Connect button. */
  @Post('connect/authorize')
  @HttpCode(200)
  reauthorize(@Headers('x-connect-session') token: string | undefined): Promise<{ authorizationUrl: string }> {
    return this.openSession.reauthorize(token);
  }
}

const LONG_POLL_INTERVAL_MS = 200;
const LONG_POLL_MAX_SECONDS = 25;

function waitSecondsFrom(value: string | undefined): number {
  const seconds = Number(value ?? 0);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, LONG_POLL_MAX_SECONDS) : 0;
}

