import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AUDIT_DEFAULT_LIMIT,
  AUDIT_KINDS,
  AUDIT_MAX_LIMIT,
  AuditQueryDto,
  decodeAuditCursor,
  mergeAuditPages,
  readAuditEntries,
  schemaOf,
  type AuditBranch,
  type AuditEntry,
  type AuditKind,
} from '@cb/platform';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { UpstreamClient, type UpstreamService } from '../upstream';
import { gatewayAuditBranches } from './api-key-events';
import { AuditPageDoc } from './audit.docs.dto';
import { ErrorBodyDoc } from '../openapi/error-body.docs.dto';

/** Which service records which kinds; a service whose kinds are all filtered out is not asked. */
const UPSTREAM_KINDS: Record<Exclude<UpstreamService, 'oauth-authorization'>, readonly AuditKind[]> = {
  'token-issuance': ['credential_read', 'proxy_call', 'connection_import'],
  'connector-config': ['connector_change'],
};

/**
 * One audit across the services that record it (ADR 0021): each owning service answers its own
 * entries after the cursor over its internal API (ADR 0001, 0008), the gateway its key events, and
 * the pages are merged in one order (time descending, then id).
 */
@ApiTags('audit')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/audit')
export class AuditHttpController {
  private readonly branches: AuditBranch[];

  constructor(
    private readonly upstream: UpstreamClient,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.branches = gatewayAuditBranches(schemaOf(dataSource));
  }

  @Get()
  @ApiOperation({
    summary: "The workspace's audit: credential reads, proxy calls, imports, connector changes, API key creations and revocations (scope `admin`)",
    description:
      'Newest first (`at` descending, then `id`), paged by `cursor`: pass `nextCursor` back with the same filters; no entry is skipped or repeated across pages. ' +
      'Every filter narrows the list (AND). Entries older than the retention (`AUDIT_RETENTION_DAYS`, 365 by default) are pruned. No entry holds a secret.',
  })
  @ApiQuery({ name: 'kind', required: false, description: 'Only these kinds; repeatable.', schema: { type: 'array', items: { type: 'string', enum: [...AUDIT_KINDS] } }, style: 'form', explode: true })
  @ApiQuery({ name: 'connectionId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'connectorId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'apiKeyId', required: false, description: 'The key that acted, or for key events also the key acted on.', schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'from', required: false, description: 'Only entries at or after this time (ISO 8601).', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, description: 'Only entries strictly before this time (ISO 8601).', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'cursor', required: false, description: 'The `nextCursor` of the previous page (opaque).', schema: { type: 'string', maxLength: 512 } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: AUDIT_MAX_LIMIT, default: AUDIT_DEFAULT_LIMIT } })
  @ApiOkResponse({ type: AuditPageDoc })
  @ApiBadRequestResponse({ type: ErrorBodyDoc, description: '`validation_failed`, naming the parameter in `details.errors[].path` (`kind`, `from`, `cursor`…).' })
  async list(@CurrentWorkspace() caller: WorkspaceContext, @Query() query: AuditQueryDto): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    if (query.cursor !== undefined) decodeAuditCursor(query.cursor);
    const limit = query.limit ?? AUDIT_DEFAULT_LIMIT;
    const forwarded = { ...query, limit };
    const wanted = (kinds: readonly AuditKind[]): boolean => query.kind === undefined || kinds.some((kind) => query.kind?.includes(kind));
    const pages: Array<Promise<AuditEntry[]>> = [readAuditEntries(this.dataSource, this.branches, caller.workspaceId, forwarded)];
    for (const [service, kinds] of Object.entries(UPSTREAM_KINDS) as Array<[keyof typeof UPSTREAM_KINDS, readonly AuditKind[]]>) {
      if (!wanted(kinds) || (service === 'connector-config' && query.connectionId !== undefined)) continue;
      pages.push(
        this.upstream
          .request<{ items: AuditEntry[] }>(service, {
            method: 'GET',
            path: `/internal/v1/workspaces/${caller.workspaceId}/audit`,
            query: {
              kind: query.kind,
              connectionId: query.connectionId,
              connectorId: query.connectorId,
              apiKeyId: query.apiKeyId,
              from: query.from,
              to: query.to,
              cursor: query.cursor,
              limit,
            },
          })
          .then((answer) => answer.body.items),
      );
    }
    return mergeAuditPages(await Promise.all(pages), limit);
  }
}
