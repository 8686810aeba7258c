import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuditPruner, schemaOf } from '@cb/platform';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { AuditHttpController, auditTables } from './audit/audit.http.controller';
import { ActivateConnectorHttpController } from './activate-connector/activate-connector.http.controller';
import { ActivateConnectorService } from './activate-connector/activate-connector.service';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from './connector-config.config';
import { ConnectorAuditTrail } from './connector-changes/connector-audit-trail';
import { ConnectorChangeEntity } from './connector-changes/connector-change.entity';
import { ConnectorChangesHttpController } from './connector-changes/connector-changes.http.controller';
import { ConnectorTemplatesHttpController } from './connector-templates/connector-templates.http.controller';
import { TemplateOverrideEntity } from './connector-templates/template-override.entity';
import { WorkspaceTemplates } from './connector-templates/workspace-templates';
import { ConnectorAnnouncer } from './connectors/connector.announcer';
import { ConnectorSecrets } from './connectors/connector-secrets';
import { ConnectorVersionEntity } from './connectors/connector-version.entity';
import { ConnectorEntity } from './connectors/connector.entity';
import { ConnectorStore } from './connectors/connector.store';
import { WorkspaceParamGuard } from './connectors/workspace-param.guard';
import { CreateConnectorHttpController } from './create-connector/create-connector.http.controller';
import { CreateConnectorService } from './create-connector/create-connector.service';
import { DeactivateConnectorHttpController } from './deactivate-connector/deactivate-connector.http.controller';
import { DeactivateConnectorService } from './deactivate-connector/deactivate-connector.service';
import { DiscoverConnectorHttpController } from './discover-connector/discover-connector.http.controller';
import { DiscoverConnectorService } from './discover-connector/discover-connector.service';
import { ClientRegistrationEntity } from './discover-connector/client-registration.entity';
import { CreateFromUrlService } from './discover-connector/create-from-url.service';
import { ClientRegistrations } from './discover-connector/client-registrations';
import { RegistrationRenewal } from './discover-connector/registration-renewal';
import { DeleteConnectorHttpController } from './delete-connector/delete-connector.http.controller';
import { MIGRATIONS } from './migrations';
import { QueryConnectorsHttpController } from './query-connectors/query-connectors.http.controller';
import { UpdateConnectorHttpController } from './update-connector/update-connector.http.controller';
import { UpdateConnectorService } from './update-connector/update-connector.service';
import { WebhooksModule } from './webhooks/webhooks.module';

export const SCHEMA = 'connector_config';

@Module({})
export class ConnectorConfigModule {
  static register(config: ConnectorConfigConfig, logger: Logger): DynamicModule {
    return {
      module: ConnectorConfigModule,
      imports: [
        ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: [ConnectorEntity, ConnectorVersionEntity, ConnectorChangeEntity, ClientRegistrationEntity, TemplateOverrideEntity], migrations: MIGRATIONS, usesKafka: true, internalApiToken: config.internalApiToken }),
        WebhooksModule.register(SCHEMA, config.webhooks),
      ],
      controllers: [
        ConnectorTemplatesHttpController,
        DiscoverConnectorHttpController,
        CreateConnectorHttpController,
        QueryConnectorsHttpController,
        UpdateConnectorHttpController,
        ActivateConnectorHttpController,
        DeactivateConnectorHttpController,
        DeleteConnectorHttpController,
        ConnectorChangesHttpController,
        AuditHttpController,
      ],
      providers: [
        { provide: CONNECTOR_CONFIG_CONFIG, useValue: config },
        WorkspaceParamGuard,
        ConnectorStore,
        ConnectorSecrets,
        ConnectorAnnouncer,
        ConnectorAuditTrail,
        WorkspaceTemplates,
        CreateConnectorService,
        DiscoverConnectorService,
        CreateFromUrlService,
        ClientRegistrations,
        RegistrationRenewal,
        UpdateConnectorService,
        ActivateConnectorService,
        DeactivateConnectorService,
        {
          provide: AuditPruner,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new AuditPruner(dataSource, auditTables(schemaOf(dataSource)), config.auditRetention, (error) => logger.warn({ err: error.message }, 'audit prune failed; the next run tries again')),
        },
      ],
    };
  }
}
