import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { projectConnectorActivated, projectConnectorDeactivated } from '@cb/connector-projection';
import { ConnectorActivated, ConnectorActivatedPayload, ConnectorDeactivated, ConnectorDeactivatedPayload, sealedFieldDefaultKey } from '@cb/events';
import { InboxContext } from '@cb/messaging';
import { ConnectorEntity } from './connector.entity';

/** Keeps the connector projection: only active connectors can be connected; older versions never win. */
@Controller()
export class ConnectorProjectionEventsController {
  @EventPattern(ConnectorActivated.topic)
  async activated(@Payload() payload: ConnectorActivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await projectConnectorActivated(ctx.manager, ConnectorEntity, payload, () => ({
      secretFieldDefaults: Object.keys(payload.sealedSecrets.fieldDefaults ?? {}).map(sealedFieldDefaultKey),
    }));
  }

  @EventPattern(ConnectorDeactivated.topic)
  async deactivated(@Payload() payload: ConnectorDeactivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await projectConnectorDeactivated(ctx.manager, ConnectorEntity, payload);
  }
}
