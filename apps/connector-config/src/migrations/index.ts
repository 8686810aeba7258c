import { Connectors1764400100000 } from './1764400100000-connectors.migration';
import { ConnectorChanges1764700000000 } from './1764700000000-connector-changes.migration';
import { ClientRegistrations1764900000000 } from './1764900000000-client-registrations.migration';
import { Webhooks1765100000000 } from './1765100000000-webhooks.migration';
import { ClientRegistrationRenewal1765200000000 } from './1765200000000-client-registration-renewal.migration';
import { TemplateOverrides1765300000000 } from './1765300000000-template-overrides.migration';
import { WebhookDeliveryRetention1765400000000 } from './1765400000000-webhook-delivery-retention.migration';
import { ConnectorChangesAuditIndexes1767021000000 } from './1767021000000-connector-changes-audit-indexes.migration';

/** In order of application. Tables change only through these, never through `synchronize`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [
  Connectors1764400100000,
  ConnectorChanges1764700000000,
  ClientRegistrations1764900000000,
  Webhooks1765100000000,
  ClientRegistrationRenewal1765200000000,
  TemplateOverrides1765300000000,
  WebhookDeliveryRetention1765400000000,
  ConnectorChangesAuditIndexes1767021000000,
];
