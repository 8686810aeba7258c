import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConnectorActivated, ConnectorDeactivated } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { ConnectorVersionEntity } from './connector-version.entity';
import type { ConnectorEntity } from './connector.entity';
import { publicConfigForEvent } from './connector.mapper';
import { ConnectorSecrets } from './connector-secrets';

/** Announces connector versions through the outbox, in the caller's transaction. */
@Injectable()
export class ConnectorAnnouncer {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly secrets: ConnectorSecrets,
  ) {}

  async activated(manager: EntityManager, connector: ConnectorEntity, plainSecrets: Record<string, string>, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(ConnectorVersionEntity)
      .values({ connectorId: connector.id, version: connector.version, config: connector.config, announcedAt: at })
      .orIgnore()
      .execute();
    await this.outbox.append(manager, ConnectorActivated, {
      connectorId: connector.id,
      workspaceId: connector.workspaceId,
      slug: connector.slug,
      name: connector.name,
      mode: connector.mode,
      version: connector.version,
      config: publicConfigForEvent(connector.config),
      sealedSecrets: this.secrets.forEvent(connector.id, plainSecrets),
      activatedAt: at.toISOString(),
    });
  }

  async deactivated(manager: EntityManager, connector: ConnectorEntity, at: Date): Promise<void> {
    await this.outbox.append(manager, ConnectorDeactivated, {
      connectorId: connector.id,
      workspaceId: connector.workspaceId,
      version: connector.version,
      deactivatedAt: at.toISOString(),
    });
  }
}
