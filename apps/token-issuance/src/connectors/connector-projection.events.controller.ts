import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConnectorActivated, ConnectorActivatedPayload, ConnectorDeactivated, ConnectorDeactivatedPayload, sealedFieldDefaultKey } from '@cb/events';
import { projectConnectorActivated, projectConnectorDeactivated } from '@cb/connector-projection';
import { InboxContext } from '@cb/messaging';
import { schemaOf } from '@cb/platform';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { clientSecretContext, ConnectorEntity, fieldDefaultContext } from './connector.entity';

/**
 * Keeps the connector projection: the latest version, and the configuration (without secrets) of
 * every version, which a code exchange uses when its session captured an older one. Secrets arrive
 * sealed for the event (`ConnectorActivated:<connectorId>`) and are re-sealed for this service's table.
 */
@Controller()
export class ConnectorProjectionEventsController {
  constructor(@Inject(KEYRING) private readonly keyring: Keyring) {}

  @EventPattern(ConnectorActivated.topic)
  async activated(@Payload() payload: ConnectorActivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await ctx.manager.query(
      `INSERT INTO "${schemaOf(ctx.manager)}".connector_versions (connector_id, version, config) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [payload.connectorId, payload.version, payload.config],
    );
    await projectConnectorActivated(ctx.manager, ConnectorEntity, payload, () => this.resealedSecrets(payload));
  }

  @EventPattern(ConnectorDeactivated.topic)
  async deactivated(@Payload() payload: ConnectorDeactivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await projectConnectorDeactivated(ctx.manager, ConnectorEntity, payload);
  }

  /** The event's secrets, sealed for it, sealed again for this service's table. */
  private resealedSecrets(payload: ConnectorActivatedPayload): Pick<ConnectorEntity, 'sealedClientSecret' | 'sealedFieldDefaults'> {
    const eventContext = `${ConnectorActivated.name}:${payload.connectorId}`;
    const reseal = (sealed: string, context: string): string => this.keyring.seal(this.keyring.open(sealed, eventContext), context);
    const sealedFieldDefaults: Record<string, string> = {};
    for (const [name, sealed] of Object.entries(payload.sealedSecrets.fieldDefaults ?? {})) {
      const key = sealedFieldDefaultKey(name);
      sealedFieldDefaults[key] = reseal(sealed, fieldDefaultContext(payload.connectorId, key));
    }
    const clientSecret = payload.sealedSecrets.clientSecret;
    return { sealedClientSecret: clientSecret ? reseal(clientSecret, clientSecretContext(payload.connectorId)) : null, sealedFieldDefaults };
  }
}

