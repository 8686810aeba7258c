import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditQueryDto, InternalApiGuard, readAuditEntries, schemaOf, type AuditBranch, type AuditEntry, type PruneTarget } from '@cb/platform';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';

/**
 * connector-config's part of the audit: connector changes. `actor` is `api_key:<id>` as the gateway
 * named the caller; the changed paths carry no secret value (see ConnectorAuditTrail).
 */
export function connectorConfigAuditBranches(schema: string): AuditBranch[] {
  const apiKeyId = `CASE WHEN ch.actor LIKE 'api\\_key:%' THEN substr(ch.actor, 9) END`;
  return [
    {
      kinds: ['connector_change'],
      kind: `'connector_change'`,
      from: `"${schema}".connector_changes ch`,
      workspaceId: 'ch.workspace_id',
      id: `'cc_' || ch.id`,
      at: 'ch.changed_at',
      apiKeyId,
      connectionId: 'NULL',
      connectorId: 'ch.connector_id',
      details: `jsonb_build_object('action', ch.action, 'version', ch.version, 'actor', ch.actor, 'changes', ch.changes)`,
    },
  ];
}

/** What the retention prunes (AUDIT_RETENTION_DAYS). */
export function auditTables(schema: string): PruneTarget[] {
  return [{ table: `"${schema}".connector_changes`, timeColumn: 'changed_at', idColumn: 'id' }];
}

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/audit')
export class AuditHttpController {
  private readonly branches: AuditBranch[];

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.branches = connectorConfigAuditBranches(schemaOf(dataSource));
  }

  /** Up to `limit + 1` entries after the cursor, newest first; the gateway merges the services' answers. */
  @Get()
  async list(@Param('workspaceId') workspaceId: string, @Query() query: AuditQueryDto): Promise<{ items: AuditEntry[] }> {
    return { items: await readAuditEntries(this.dataSource, this.branches, workspaceId, query) };
  }
}
