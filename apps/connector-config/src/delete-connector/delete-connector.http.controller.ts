import { Actor } from '../connector-changes/actor.decorator';
import { ConnectorAuditTrail } from '../connector-changes/connector-audit-trail';
import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InternalApiGuard } from '@cb/platform';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectorStore } from '../connectors/connector.store';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { connectorActive } from '../connector-config.errors';
import { ClientRegistrations } from '../discover-connector/client-registrations';

/**
 * Deletes a draft or an inactive connector with its versions (a hard delete: its secrets go with
 * it). An active connector must be deactivated first, so that other services hear of it. A client
 * the broker registered for it is deleted at its server afterwards (RFC 7592).
 */
@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class DeleteConnectorHttpController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ConnectorStore,
    private readonly audit: ConnectorAuditTrail,
    private readonly registrations: ClientRegistrations,
  ) {}

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('workspaceId') workspaceId: string, @Param('id') id: string, @Actor() actor: string): Promise<void> {
    const registration = await this.dataSource.transaction(async (manager) => {
      const connector = await this.store.findOrFail(manager, workspaceId, id, { lock: true });
      if (connector.status === 'active') throw connectorActive();
      const registered = await this.registrations.find(manager, connector.id);
      await manager.delete(ConnectorEntity, { id: connector.id, workspaceId });
      await this.audit.record(manager, connector, 'deleted', actor, null, null);
      return registered;
    });
    if (registration !== null) await this.registrations.unregister(registration);
  }
}
