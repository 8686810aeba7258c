import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditQueryDto, InternalApiGuard, readAuditEntries, schemaOf, type AuditBranch, type AuditEntry, type PruneTarget } from '@cb/platform';
import { uuidParam } from '../list-connections/connections.http.controller';

/** token-issuance's part of the audit: credential reads, proxied calls and imports; never a secret. */
export function tokenIssuanceAuditBranches(schema: string): AuditBranch[] {
  const connectorOf = (alias: string): string => `(SELECT c.connector_id FROM "${schema}".connections c WHERE c.id = ${alias}.connection_id)`;
  return [
    {
      kinds: ['credential_read'],
      kind: `'credential_read'`,
      from: `"${schema}".credential_reads r`,
      workspaceId: 'r.workspace_id',
      id: `'cr_' || r.id`,
      at: 'r.read_at',
      apiKeyId: 'r.api_key_id',
      connectionId: 'r.connection_id',
      connectorId: connectorOf('r'),
      details: `jsonb_build_object('includeRefreshToken', r.include_refresh_token, 'credentialVersion', r.credential_version)`,
    },
    {
      kinds: ['proxy_call'],
      kind: `'proxy_call'`,
      from: `"${schema}".proxy_calls p`,
      workspaceId: 'p.workspace_id',
      id: `'pc_' || p.id`,
      at: 'p.called_at',
      apiKeyId: 'p.api_key_id',
      connectionId: 'p.connection_id',
      connectorId: connectorOf('p'),
      details: `jsonb_build_object('method', p.method, 'path', p.path, 'status', p.status, 'errorCode', p.error_code, 'attempts', p.attempts, 'durationMs', p.duration_ms)`,
    },
    {
      kinds: ['connection_import'],
      kind: `'connection_import'`,
      from: `"${schema}".connection_imports i`,
      workspaceId: 'i.workspace_id',
      id: `'ci_' || i.id`,
      at: 'i.imported_at',
      apiKeyId: 'i.api_key_id',
      connectionId: 'i.connection_id',
      connectorId: 'i.connector_id',
      details: `jsonb_build_object('mode', i.mode)`,
    },
  ];
}

/** What the retention prunes (AUDIT_RETENTION_DAYS). */
export function auditTables(schema: string): PruneTarget[] {
  return [
    { table: `"${schema}".credential_reads`, timeColumn: 'read_at', idColumn: 'id' },
    { table: `"${schema}".proxy_calls`, timeColumn: 'called_at', idColumn: 'id' },
    { table: `"${schema}".connection_imports`, timeColumn: 'imported_at', idColumn: 'id' },
  ];
}

@Controller('internal/v1/workspaces/:workspaceId/audit')
@UseGuards(InternalApiGuard)
export class AuditHttpController {
  private readonly branches: AuditBranch[];

  constructor(private readonly dataSource: DataSource) {
    this.branches = tokenIssuanceAuditBranches(schemaOf(dataSource));
  }

  /** Up to `limit + 1` entries after the cursor, newest first; the gateway merges the services' answers. */
  @Get()
  async list(@Param('workspaceId', uuidParam('workspace')) workspaceId: string, @Query() query: AuditQueryDto): Promise<{ items: AuditEntry[] }> {
    return { items: await readAuditEntries(this.dataSource, this.branches, workspaceId, query) };
  }
}
