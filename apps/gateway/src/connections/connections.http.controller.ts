import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiConflictResponse, ApiConsumes, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiResponse, ApiOperation, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { notFound } from '@cb/platform';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { isUuid, UpstreamClient } from '../upstream';
import { ConnectionListResponseDoc, ConnectionResponseDoc, DisconnectResultDoc, ImportConnectionRequestDoc, UpdateConnectionRequestDoc, ReportUnauthorizedRequestDoc, ReportUnauthorizedResponseDoc } from './connection.docs.dto';
import { forbiddenWithoutAnyOf } from '../gateway.errors';

const LIST_FILTERS = ['connectorId', 'endUserId', 'organizationId', 'status', 'createdAfter', 'createdBefore', 'cursor', 'limit', 'offset'] as const;
const TAG_FILTER_DESCRIPTION =
  'A tag the connection must carry, as `key:value` (split at the first colon). Repeat it to require several tags (AND); at most 10.';

/** Connections without secrets; the route that hands out a credential is {@link CredentialReadRoute}. */
@ApiTags('connections')
@ApiBearerAuth()
@Controller('v1/connections')
export class ConnectionsHttpController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Get()
  @ApiOperation({
    summary: 'List connections, oldest first, filtered by tags, end user, organization, connector, status and creation time (scope `connect` or `credentials:read`)',
    description:
      'Every filter narrows the list (AND). Pages by `cursor` (pass `nextCursor` back; the order is `createdAt`, then `connectionId`) or, for older callers, by `offset`; not both. ' +
      'An invalid filter answers 400 `validation_failed`, naming the parameter in `details.errors[].path`.',
  })
  @ApiQuery({ name: 'tag', required: false, description: TAG_FILTER_DESCRIPTION, schema: { type: 'array', items: { type: 'string', example: 'plan:enterprise' }, maxItems: 10 }, style: 'form', explode: true })
  @ApiQuery({ name: 'connectorId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'endUserId', required: false, schema: { type: 'string', minLength: 1, maxLength: 256 } })
  @ApiQuery({ name: 'organizationId', required: false, description: "The end user's organization, as given in `endUser.organizationId`.", schema: { type: 'string', minLength: 1, maxLength: 256 } })
  @ApiQuery({ name: 'status', required: false, schema: { type: 'string', enum: ['active', 'needs_reconnect'] } })
  @ApiQuery({ name: 'createdAfter', required: false, description: 'Only connections created strictly after this time (ISO 8601).', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'createdBefore', required: false, description: 'Only connections created strictly before this time (ISO 8601).', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'cursor', required: false, description: 'The `nextCursor` of the previous page (opaque).', schema: { type: 'string', maxLength: 512 } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'offset', required: false, description: 'Offset paging, for older callers; prefer `cursor`.', schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiOkResponse({ type: ConnectionListResponseDoc })
  @ApiBadRequestResponse({ description: '`validation_failed`: an invalid filter, named in `details.errors[].path` (`tag`, `createdAfter`, `cursor`, `offset` with a cursor…).' })
  async list(@CurrentWorkspace() caller: WorkspaceContext, @Query() query: Record<string, unknown>): Promise<unknown> {
    requireAnyScope(caller, ['connect', 'credentials:read']);
    const filters: Record<string, string | string[] | undefined> = {};
    for (const name of LIST_FILTERS) if (typeof query[name] === 'string') filters[name] = query[name];
    const tags = typeof query.tag === 'string' ? [query.tag] : Array.isArray(query.tag) ? query.tag.filter((tag): tag is string => typeof tag === 'string') : [];
    if (tags.length > 0) filters.tag = tags;
    const answer = await this.upstream.request('token-issuance', { method: 'GET', path: `/internal/v1/workspaces/${caller.workspaceId}/connections`, query: filters });
    return answer.body;
  }

  /** A connection made elsewhere (a migration from another broker), with its credential. */
  @Post('import')
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Import a connection with a credential obtained elsewhere, e.g. from another broker (scope `admin`)',
    description:
      "`credential` follows the connector's mode: OAuth2 `{ accessToken, refreshToken?, expiresAt? | expiresIn?, scopes?, tokenType? }`; " +
      'Basic `{ username, password }`; API key `{ apiKey }`; bearer `{ token }`; custom input `{ values }`. ' +
      'The connection is stored and announced like a connect (TokenIssued with reason `import`), so an OAuth token with a refresh token is refreshed on schedule. ' +
      'Each import is audited (which API key, when); the credential is never logged or returned. ' +
      '**Bulk**: send `Content-Type: application/x-ndjson`, one such object per line (at most 10,000 lines of 64 KiB, 32 MiB in all). ' +
      'The body is read as it arrives and the answer is `200` `application/x-ndjson`, one line per input line as it is done: ' +
      '`{ "line": 3, "connectionId": "…" }` or `{ "line": 4, "error": { "code", "message", "details" } }` (a bad line never stops the others), ' +
      'then `{ "summary": { "imported", "failed", "complete" } }`; `complete: false` with a `reason` (`too_many_lines`, `too_large`) when the stream went past a limit and was not read further.',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ type: ImportConnectionRequestDoc })
  @ApiResponse({
    status: 200,
    description: 'Bulk (NDJSON): the report, one JSON object per line, then a summary line.',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  @ApiCreatedResponse({ type: ConnectionResponseDoc, description: 'The imported connection, without its credential.' })
  @ApiBadRequestResponse({ description: '`validation_failed`: each problem named by its path (`credential.accessToken`, `endUser.id`, `attributes.<key>`…), never with a value.' })
  @ApiNotFoundResponse({ description: '`not_found`: the connector is not one of the workspace.' })
  @ApiConflictResponse({ description: '`connection_exists` (the `connectionId` is taken), `connector_not_active`.' })
  @HttpCode(201)
  async import(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: unknown): Promise<unknown> {
    const answer = await this.upstream.request('token-issuance', {
      method: 'POST',
      path: `/internal/v1/workspaces/${caller.workspaceId}/connections/import`,
      body: body ?? {},
      headers: { 'x-api-key-id': caller.apiKeyId },
    });
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

  /** What the product keeps with the connection (never secret): a JSON Merge Patch of metadata, tags and end user details. */
  @Patch(':id')
  @RequireScopes('connect')
  @ApiOperation({
    summary: "Set a connection's metadata, tags and end user details (a JSON Merge Patch, RFC 7396; scope `connect`)",
    description:
      '`metadata` merges member by member (a `null` member removes it; `"metadata": null` empties it); at most 16 KiB as JSON and 5 levels deep. ' +
      '`tags` merges the same way (at most 20; keys of 1 to 64 letters, digits, `_`, `.`, `-`; values of 1 to 256 characters). ' +
      "`endUser` sets or, with `null`, clears `displayName`, `email`, `organizationId`; the end user's id does not change. Never put secrets here.",
  })
  @ApiBody({ type: UpdateConnectionRequestDoc })
  @ApiOkResponse({ type: ConnectionResponseDoc, description: 'The connection as it is now.' })
  @ApiNotFoundResponse({ description: '`not_found`: no such connection in the workspace.' })
  @ApiBadRequestResponse({ description: '`validation_failed`: a member that cannot change, or a merged result past a limit, named by its path (`metadata`, `tags.<key>`, `endUser.email`…); nothing is changed.' })
  async update(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: unknown): Promise<unknown> {
    if (!isUuid(id)) throw notFound('connection');
    const answer = await this.upstream.request('token-issuance', { method: 'PATCH', path: `/internal/v1/workspaces/${caller.workspaceId}/connections/${id}`, body: body ?? {} });
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
