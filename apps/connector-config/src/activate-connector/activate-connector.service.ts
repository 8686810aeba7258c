import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { mergeSecrets, validateAuthConfig } from '@cb/auth-modes';
import { ConnectorAuditTrail } from '../connector-changes/connector-audit-trail';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { ConnectorAnnouncer } from '../connectors/connector.announcer';
import { ConnectorSecrets } from '../connectors/connector-secrets';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectorResponse, toConnectorResponse } from '../connectors/connector.mapper';
import { ConnectorStore } from '../connectors/connector.store';
import { activationRefused } from '../connector-config.errors';

/**
 * Checks that the connector is complete (every missing item is listed in one 422) and announces it
 * with ConnectorActivated in the same transaction. Activating an active connector changes nothing.
 */
@Injectable()
export class ActivateConnectorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    private readonly store: ConnectorStore,
    private readonly secrets: ConnectorSecrets,
    private readonly announcer: ConnectorAnnouncer,
    private readonly audit: ConnectorAuditTrail,
  ) {}

  async activate(workspaceId: string, id: string, actor: string): Promise<ConnectorResponse> {
    return this.dataSource.transaction(async (manager) => {
      const connector = await this.store.findOrFail(manager, workspaceId, id, { lock: true });
      if (connector.status === 'active') return toConnectorResponse(connector);
      const secrets = this.secrets.open(connector.id, connector.sealedSecrets);
      const checked = validateAuthConfig(mergeSecrets(connector.config, secrets), { allowInsecureLoopback: this.config.runMode === 'development' });
      if (!checked.ok) {
        const errors = checked.errors.map((e) => ({ path: e.path === '' ? 'config' : `config.${e.path}`, message: e.message }));
        throw activationRefused(errors);
      }
      const now = new Date();
      const activated: ConnectorEntity = Object.assign(connector, { status: 'active' as const, activatedAt: now, deactivatedAt: null, updatedAt: now });
      await manager.save(ConnectorEntity, activated);
      await this.announcer.activated(manager, activated, secrets, now);
      await this.audit.record(manager, activated, 'activated', actor, null, null);
      return toConnectorResponse(activated);
    });
  }
}
