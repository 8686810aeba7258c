import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { notFound } from '@cb/platform';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { isUuid, UpstreamClient } from '../upstream';
import { ConnectionListResponseDoc, ConnectionResponseDoc, DisconnectResultDoc, ReportUnauthorizedRequestDoc, ReportUnauthorizedResponseDoc } from './connection.docs.dto';
import { forbiddenWithoutAnyOf } from '../gateway.errors';

const LIST_FILTERS = ['connectorId', 'endUserId', 'status', 'limit', 'offset'] as const;

/** Connections without secrets; the route that hands out a credential is {@link CredentialReadRoute}. */
@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/connections')
export class ConnectionsHttpController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Get()
  @ApiOperation({ summary: 'List connections, newest first, filtered by connector, end user and status (scope `connect` or `credentials:read`)' })
  @ApiQuery({ name: 'connectorId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'endUserId', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'status', required: false, schema: { type: 'string', enum: ['active', 'needs_reconnect'] } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiOkResponse({ type: ConnectionListResponseDoc })
  async list(@CurrentWorkspace() caller: WorkspaceContext, @Query() query: Record<string, unknown>): Promise<unknown> {
    requireAnyScope(caller, ['connect', 'credentials:read']);
    const filters: Record<string, string | undefined> = {};
    for (const name of LIST_FILTERS) if (typeof query[name] === 'string') filters[name] = query[name];
    const answer = await this.upstream.request('token-issuance', { method: 'GET', path: `/internal/v1/workspaces/${caller.workspaceId}/connections`, query: filters });
    return answer.body;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a connection, without any secret (scope `connect` or `credentials:read`)' })
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
  @ApiOperation({ summary: 'Report that the credential was refused with 401: the broker refreshes now, or marks the connection for reconnect' })
  @ApiBody({ type: ReportUnauthorizedRequestDoc, required: false })
  @ApiOkResponse({ type: ReportUnauthorizedResponseDoc, description: '`outcome`: `refreshed` (read the credential again), `superseded` (a newer credential exists) or `needs_reconnect`.' })
  @ApiServiceUnavailableResponse({ description: '`refresh_unavailable`: the provider could not refresh right now, or a refresh is under way; retry shortly.' })
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
  @ApiOperation({ summary: 'Delete a connection: revoke at the provider when it can, destroy the stored secrets, announce ConnectionDeleted' })
  @ApiOkResponse({ type: DisconnectResultDoc })
  @HttpCode(200)
  async remove(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string): Promise<unknown> {
    if (!isUuid(id)) throw notFound('connection');
    const answer = await this.upstream.request('token-issuance', { method: 'DELETE', path: `/internal/v1/workspaces/${caller.workspaceId}/connections/${id}` });
    return answer.body;
  }
}

function requireAnyScope(caller: WorkspaceContext, scopes: string[]): void {
  if (!scopes.some((scope) => caller.scopes.includes(scope))) throw forbiddenWithoutAnyOf(scopes);
}
