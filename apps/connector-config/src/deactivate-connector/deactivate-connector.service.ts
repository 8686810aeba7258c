import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConnectorAuditTrail } from '../connector-changes/connector-audit-trail';
import { ConnectorAnnouncer } from '../connectors/connector.announcer';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectorResponse, toConnectorResponse } from '../connectors/connector.mapper';
import { ConnectorStore } from '../connectors/connector.store';
import { connectorNeverActivated } from '../connector-config.errors';

/**
 * Stops new connections and announces ConnectorDeactivated; existing connections keep working
 * until removed. Deactivating an inactive connector changes nothing; a draft was never active (409).
 */
@Injectable()
export class DeactivateConnectorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ConnectorStore,
    private readonly announcer: ConnectorAnnouncer,
    private readonly audit: ConnectorAuditTrail,
  ) {}

  async deactivate(workspaceId: string, id: string, actor: string): Promise<ConnectorResponse> {
    return this.dataSource.transaction(async (manager) => {
      const connector = await this.store.findOrFail(manager, workspaceId, id, { lock: true });
      if (connector.status === 'inactive') return toConnectorResponse(connector);
      if (connector.status === 'draft') throw connectorNeverActivated();
      const now = new Date();
      const deactivated: ConnectorEntity = Object.assign(connector, { status: 'inactive' as const, deactivatedAt: now, updatedAt: now });
      await manager.save(ConnectorEntity, deactivated);
      await this.announcer.deactivated(manager, deactivated, now);
      await this.audit.record(manager, deactivated, 'deactivated', actor, null, null);
      return toConnectorResponse(deactivated);
    });
  }
}
