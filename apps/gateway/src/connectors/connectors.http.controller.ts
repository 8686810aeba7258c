import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '@cb/platform';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { isUuid, UpstreamClient, UpstreamRequest } from '../upstream';
import { ConnectorReadiness } from './connector-readiness';
import {
  ActivatedConnectorResponseDoc,
  ConnectorChangeListDoc,
  ConnectorListResponseDoc,
  ConnectorResponseDoc,
  CreateConnectorRequestDoc,
  CreatedFromUrlDoc,
  CreateFromUrlRequestDoc,
  DiscoverConnectorRequestDoc,
  DiscoveredConnectorDoc,
  RediscoverConnectorRequestDoc,
  RediscoveredConnectorDoc,
  UpdateConnectorRequestDoc,
} from './connector.docs.dto';
import { ListConnectorsQueryDto } from './list-connectors.query.dto';
import { ErrorBodyDoc } from '../openapi/error-body.docs.dto';

/**
 * The admin API for connectors: a thin edge over connector-config's internal API. The workspace
 * comes from the API key; statuses and error bodies pass through unchanged.
 */
@ApiTags('connectors')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1')
export class ConnectorsHttpController {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly readiness: ConnectorReadiness,
  ) {}

  @Post('connectors')
  @ApiOperation({ summary: 'Create a draft connector, from scratch (`config`) or from a template (`templateId`, `clientId`, `clientSecret`, `scopes`)' })
  @ApiBody({ type: CreateConnectorRequestDoc })
  @ApiCreatedResponse({ type: ConnectorResponseDoc })
  @ApiBadRequestResponse({ type: ErrorBodyDoc, description: '`validation_failed` with every offending path, `malformed_json`' })
  @ApiConflictResponse({ type: ErrorBodyDoc, description: '`duplicate_slug`' })
  create(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'POST', path: '', body: body ?? {} });
  }

  @Post('connectors/discover')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Discover a provider from one URL: an issuer, any URL of it, or an MCP server',
    description:
      'Reads OAuth 2.0 Authorization Server Metadata (RFC 8414) or OpenID Connect Discovery, checking that the document names the issuer it was read for; for an MCP server, its 401 `WWW-Authenticate: resource_metadata` or the RFC 9728 well-known path first. Answers a draft `config` and what was found; nothing is stored. Every request obeys the outbound rules (https and public addresses in production, no redirects, 64 KiB and `DISCOVERY_TIMEOUT_MS` per document).',
  })
  @ApiBody({ type: DiscoverConnectorRequestDoc })
  @ApiOkResponse({ type: DiscoveredConnectorDoc })
  @ApiBadRequestResponse({ type: ErrorBodyDoc, description: '`validation_failed`' })
  @ApiUnprocessableEntityResponse({
    type: ErrorBodyDoc,
    description: '`discovery_failed`, `details.reason` one of `invalid_url`, `refused_destination`, `unreachable`, `document_too_large`, `not_found`, `invalid_metadata`, `issuer_mismatch`, `resource_mismatch`, `pkce_unsupported`, `insecure_endpoint`',
  })
  discover(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'POST', path: '/discover', body: body ?? {} });
  }

  @Post('connectors/from-url')
  @ApiOperation({
    summary: 'Create a draft connector from one URL, registering its OAuth client when the server allows',
    description:
      'Discovers the URL as `POST /v1/connectors/discover` does, then takes the client in this order: the `clientId` (and `clientSecret`) given; else, where the server accepts Client ID Metadata Documents, the URL of the workspace\'s document (`GET /oauth/client-metadata/{workspaceId}`, a public client with PKCE); else a client the broker registers itself at the server\'s registration endpoint (RFC 7591) with this deployment\'s callback as redirect URI (its secret sealed like any client secret, the registration access token kept sealed for RFC 7592); else 422 `client_registration_required` with the reason. Activate the draft next.',
  })
  @ApiBody({ type: CreateFromUrlRequestDoc })
  @ApiCreatedResponse({ type: CreatedFromUrlDoc })
  @ApiBadRequestResponse({ type: ErrorBodyDoc, description: '`validation_failed`' })
  @ApiConflictResponse({ type: ErrorBodyDoc, description: '`duplicate_slug`' })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDoc, description: '`discovery_failed` (also `details.reason` `registration_failed`), `client_registration_required`' })
  createFromUrl(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'POST', path: '/from-url', body: body ?? {} });
  }

  @Get('connectors')
  @ApiOperation({ summary: 'List connectors, newest first, filtered by mode and status' })
  @ApiOkResponse({ type: ConnectorListResponseDoc })
  list(@CurrentWorkspace() caller: WorkspaceContext, @Query() query: ListConnectorsQueryDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: '', query: { mode: query.mode, status: query.status, limit: query.limit, cursor: query.cursor } });
  }

  @Get('connectors/:id')
  @ApiOperation({ summary: 'Read a connector; secrets show as `{ isSet }`' })
  @ApiOkResponse({ type: ConnectorResponseDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  get(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: this.item(id) });
  }

  @Patch('connectors/:id')
  @ApiOperation({
    summary: 'Change a connector',
    description:
      'Members given replace the stored ones; `config` replaces the whole configuration except omitted secrets. Changing an active connector makes a new version and announces it, and answers once new connect sessions use it (waiting up to 10 s).',
  })
  @ApiBody({ type: UpdateConnectorRequestDoc })
  @ApiOkResponse({ type: ConnectorResponseDoc })
  @ApiBadRequestResponse({ type: ErrorBodyDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  @ApiConflictResponse({ type: ErrorBodyDoc, description: '`duplicate_slug`, `mode_change_refused`' })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDoc, description: '`client_secret_required`: moving an endpoint (authorization, token, revocation, introspection) to another origin, or changing `clientAuthMethod`, needs `config.clientSecret` in the same request' })
  async update(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const updated = (await this.forward(res, caller, { method: 'PATCH', path: this.item(id), body: body ?? {} })) as { status: string; version: number };
    // a new version of an active connector is what the next connect session uses
    if (updated.status === 'active') await this.readiness.waitForProjection(caller.workspaceId, id, updated.version, true);
    return updated;
  }

  @Delete('connectors/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a draft or inactive connector (an active one must be deactivated first: 409 `connector_active`)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  @ApiConflictResponse({ type: ErrorBodyDoc })
  async remove(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.forward(res, caller, { method: 'DELETE', path: this.item(id) });
  }

  @Post('connectors/:id/activate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Activate a connector: checks completeness, then announces ConnectorActivated',
    description:
      'Answers once connect sessions can be opened for this version (`connectable: true`), waiting up to 10 s for the connect path to see it. `connectable: false` means it is activated but not visible there yet: opening a session then answers 503 `connector_not_ready` with Retry-After until it is.',
  })
  @ApiOkResponse({ type: ActivatedConnectorResponseDoc })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDoc, description: '`activation_refused`, with every missing item in `details.errors`' })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  async activate(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const activated = (await this.forward(res, caller, { method: 'POST', path: `${this.item(id)}/activate` })) as { version: number };
    return { ...activated, connectable: await this.readiness.waitForProjection(caller.workspaceId, id, activated.version, true) };
  }

  @Post('connectors/:id/deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a connector: no new connections (from its answer on, waiting up to 10 s); existing connections keep working until removed' })
  @ApiOkResponse({ type: ConnectorResponseDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  async deactivate(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const deactivated = (await this.forward(res, caller, { method: 'POST', path: `${this.item(id)}/deactivate` })) as { version: number };
    await this.readiness.waitForProjection(caller.workspaceId, id, deactivated.version, false);
    return deactivated;
  }

  @Post('connectors/:id/rediscover')
  @HttpCode(200)
  @ApiOperation({
    summary: "Read an OAuth 2.0 connector's server again and see what changed; nothing is applied",
    description:
      'Discovers from `url`, or else the connector\'s `resource`, `issuer` or authorization endpoint\'s origin, and lists in `changes` each published setting (endpoints, issuer, resource) whose stored value differs from what the server publishes now. Apply the ones you want with `PATCH /v1/connectors/{id}`.',
  })
  @ApiBody({ type: RediscoverConnectorRequestDoc, required: false })
  @ApiOkResponse({ type: RediscoveredConnectorDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  @ApiUnprocessableEntityResponse({ type: ErrorBodyDoc, description: '`discovery_failed` as for discover; `rediscovery_unavailable` for a connector that is not OAuth 2.0 or has no URL to start from' })
  rediscover(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'POST', path: `${this.item(id)}/rediscover`, body: body ?? {} });
  }

  @Get('connectors/:id/changes')
  @ApiOperation({
    summary: "A connector's audit trail, newest first",
    description:
      'Every creation, change, activation, deactivation and deletion: who (`api_key:<id>`), when, the version after it, and which paths changed, with values before and after; a secret path says only `secret: true`. Readable after the connector is deleted.',
  })
  @ApiOkResponse({ type: ConnectorChangeListDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  changes(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: `${this.item(id)}/changes` });
  }

  private item(id: string): string {
    if (!isUuid(id)) throw notFound('connector');
    return `/${id}`;
  }

  private async forward(res: Response, caller: WorkspaceContext, request: UpstreamRequest): Promise<unknown> {
    const path = `/internal/v1/workspaces/${caller.workspaceId}/connectors${request.path}`;
    // who asked, for the connector's audit trail
    const upstream = await this.upstream.request('connector-config', { ...request, path, headers: { ...request.headers, 'x-actor': `api_key:${caller.apiKeyId}` } });
    res.status(upstream.status);
    return upstream.body;
  }
}
