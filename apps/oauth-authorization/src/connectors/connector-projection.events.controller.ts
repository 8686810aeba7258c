import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConnectorActivated, ConnectorActivatedPayload, ConnectorDeactivated, ConnectorDeactivatedPayload, sealedFieldDefaultKey } from '@cb/events';
import { InboxContext } from '@cb/messaging';
import { ConnectorEntity } from './connector.entity';

/** Keeps the connector projection: only active connectors can be connected; older versions never win. */
@Controller()
export class ConnectorProjectionEventsController {
  @EventPattern(ConnectorActivated.topic)
  async activated(@Payload() payload: ConnectorActivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const repository = ctx.manager.getRepository(ConnectorEntity);
    const current = await repository.findOne({ where: { connectorId: payload.connectorId }, lock: { mode: 'pessimistic_write' } });
    if (current && current.version > payload.version) return;
    await repository.save({
      connectorId: payload.connectorId,
      workspaceId: payload.workspaceId,
      slug: payload.slug,
      name: payload.name,
      mode: payload.mode,
      version: payload.version,
      config: payload.config,
      secretFieldDefaults: Object.keys(payload.sealedSecrets.fieldDefaults ?? {}).map(sealedFieldDefaultKey),
      active: true,
      updatedAt: new Date(),
    });
  }

  @EventPattern(ConnectorDeactivated.topic)
  async deactivated(@Payload() payload: ConnectorDeactivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await ctx.manager
      .createQueryBuilder()
      .update(ConnectorEntity)
      .set({ active: false, updatedAt: new Date() })
      .where('connector_id = :id AND version <= :version', { id: payload.connectorId, version: payload.version })
      .execute();
  }
}
