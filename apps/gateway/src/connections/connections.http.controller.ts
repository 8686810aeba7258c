import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AppError, notFound } from '@cb/platform';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { isUuid, UpstreamClient } from '../upstream';
import { ConnectionListResponseDoc, ConnectionResponseDoc } from './connection.docs.dto';

const LIST_FILTERS = ['connectorId', 'endUserId', 'status', 'limit', 'offset'] as const;

/** Connections without secrets; the route that hands out a credential is {@link CredentialReadRoute}. */
@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/connections')
export class ConnectionsHttpController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Get()
  @ApiOkResponse({ type: ConnectionListResponseDoc })
  async list(@CurrentWorkspace() caller: WorkspaceContext, @Query() query: Record<string, unknown>): Promise<unknown> {
    requireAnyScope(caller, ['connect', 'credentials:read']);
    const filters: Record<string, string | undefined> = {};
    for (const name of LIST_FILTERS) if (typeof query[name] === 'string') filters[name] = query[name];
    const answer = await this.upstream.request('token-issuance', { method: 'GET', path: `/internal/v1/workspaces/${caller.workspaceId}/connections`, query: filters });
    return answer.body;
  }

  @Get(':id')
  @ApiOkResponse({ type: ConnectionResponseDoc, description: 'The connection without any secret; `refresh` says whether renewing its token currently fails.' })
  async get(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string): Promise<unknown> {
    requireAnyScope(caller, ['connect', 'credentials:read']);
    if (!isUuid(id)) throw notFound('connection');
    const answer = await this.upstream.request('token-issuance', { method: 'GET', path: `/internal/v1/workspaces/${caller.workspaceId}/connections/${id}` });
    return answer.body;
  }

  /** A caller got 401 with the credential: the broker refreshes now, or marks the connection for reconnect. */
  @Post(':id/report-unauthorized')
  @RequireScopes('credentials:read')
  @RateLimit('reportUnauthorized')
  @ApiOkResponse({ description: '`outcome`: `refreshed` (read the credential again), `superseded` (a newer credential exists) or `needs_reconnect`.' })
  @HttpCode(200)
  async reportUnauthorized(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: unknown): Promise<unknown> {
    if (!isUuid(id)) throw notFound('connection');
    const answer = await this.upstream.request('token-issuance', {
      method: 'POST',
      path: `/internal/v1/workspaces/${caller.workspaceId}/connections/${id}/report-unauthorized`,
      body: body ?? {},
    });
    return answer.body;
  }

  /** Revokes at the provider when it can, destroys the stored secrets and announces ConnectionDeleted. */
  @Delete(':id')
  @RequireScopes('connect')
  @HttpCode(200)
  async remove(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string): Promise<unknown> {
    if (!isUuid(id)) throw notFound('connection');
    const answer = await this.upstream.request('token-issuance', { method: 'DELETE', path: `/internal/v1/workspaces/${caller.workspaceId}/connections/${id}` });
    return answer.body;
  }
}

function requireAnyScope(caller: WorkspaceContext, scopes: string[]): void {
  if (!scopes.some((scope) => caller.scopes.includes(scope))) {
    throw new AppError('forbidden', `this API key needs one of the scopes ${scopes.join(', ')}`, 403, { missingScopes: scopes });
  }
}
