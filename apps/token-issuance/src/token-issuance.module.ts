import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuditPruner, schemaOf } from '@cb/platform';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { AuditHttpController, auditTables } from './audit/audit.http.controller';
import { CaptureCredentialsEventsController } from './capture-credentials/capture-credentials.events.controller';
import { CaptureCredentialsUseCase } from './capture-credentials/capture-credentials.service';
import { CredentialVerifier } from './verify-credential/credential-verifier';
import { ConnectionProfileEntity } from './connection-profile/connection-profile.entity';
import { ConnectionProfiles } from './connection-profile/connection-profiles';
import { ConnectionViews } from './list-connections/connection-views';
import { UpdateConnectionHttpController } from './connection-profile/update-connection.http.controller';
import { ConnectorEntity } from './connectors/connector.entity';
import { BulkImportRoute } from './import-connection/bulk-import.route';
import { ConnectionImportEntity } from './import-connection/connection-import.entity';
import { ImportConnectionHttpController } from './import-connection/import-connection.http.controller';
import { ImportConnectionService } from './import-connection/import-connection.service';
import { ConnectorProjectionEventsController } from './connectors/connector-projection.events.controller';
import { ConnectorHealthRepository } from './connectors/connector-health.repository';
import { ConnectorStore } from './connectors/connector-store';
import { ConnectionEntity } from './credential-vault/connection.entity';
import { CredentialVault } from './credential-vault/credential-vault';
import { CurrentCredentials } from './credential-vault/current-credentials';
import { ConnectionDeletionEntity } from './disconnect/connection-deletion.entity';
import { DeleteConnectionHttpController } from './disconnect/delete-connection.http.controller';
import { DisconnectConnection } from './disconnect/disconnect-connection.service';
import { CodeRedemptionEntity } from './exchange-code/code-redemption.entity';
import { ConnectOutcome } from './exchange-code/connect-outcome';
import { ExchangeCodeEventsController } from './exchange-code/exchange-code.events.controller';
import { ExchangeCodeUseCase } from './exchange-code/exchange-code.service';
import { ConnectionsHttpController } from './list-connections/connections.http.controller';
import { MIGRATIONS } from './migrations';
import { ProxyCallEntity } from './proxy/proxy-call.entity';
import { ProxyCallService } from './proxy/proxy-call.service';
import { ProxyRoute } from './proxy/proxy.route';
import { CredentialReadEntity } from './read-credential/credential-read.entity';
import { ReadCredentialRoute } from './read-credential/read-credential.route';
import { ReadCredentialService } from './read-credential/read-credential.service';
import { CredentialRefresher } from './refresh-token/credential-refresher';
import { ReconnectRecoveryEventsController } from './refresh-token/reconnect-recovery.events.controller';
import { RefreshLeases } from './refresh-token/refresh-leases';
import { RefreshStateRepository } from './refresh-token/refresh-state.repository';
import { ReportUnauthorizedHttpController } from './refresh-token/report-unauthorized.http.controller';
import { TokenExpiredEventsController } from './refresh-token/token-expired.events.controller';
import { TokenEndpoint } from './token-endpoint/token-endpoint';
import { TOKEN_ISSUANCE_CONFIG, TokenIssuanceConfig } from './token-issuance.config';

export const SCHEMA = 'token_issuance';
export const ENTITIES = [ConnectorEntity, ConnectionEntity, CodeRedemptionEntity, CredentialReadEntity, ConnectionDeletionEntity, ProxyCallEntity, ConnectionProfileEntity, ConnectionImportEntity];

@Module({})
export class TokenIssuanceModule {
  static register(config: TokenIssuanceConfig, logger: Logger): DynamicModule {
    return {
      module: TokenIssuanceModule,
      imports: [ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: ENTITIES, migrations: MIGRATIONS, usesKafka: true, internalApiToken: config.internalApiToken })],
      controllers: [
        ConnectorProjectionEventsController,
        ExchangeCodeEventsController,
        CaptureCredentialsEventsController,
        ConnectionsHttpController,
        TokenExpiredEventsController,
        ReconnectRecoveryEventsController,
        ReportUnauthorizedHttpController,
        DeleteConnectionHttpController,
        UpdateConnectionHttpController,
        ImportConnectionHttpController,
        AuditHttpController,
      ],
      providers: [
        { provide: TOKEN_ISSUANCE_CONFIG, useValue: config },
        ConnectorStore,
        ConnectorHealthRepository,
        CredentialVault,
        CurrentCredentials,
        TokenEndpoint,
        ConnectionProfiles,
        ConnectionViews,
        ImportConnectionService,
        BulkImportRoute,
        ConnectOutcome,
        ExchangeCodeUseCase,
        CaptureCredentialsUseCase,
        CredentialVerifier,
        ReadCredentialService,
        ReadCredentialRoute,
        RefreshStateRepository,
        RefreshLeases,
        CredentialRefresher,
        DisconnectConnection,
        ProxyCallService,
        ProxyRoute,
        {
          provide: AuditPruner,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new AuditPruner(
              dataSource,
              auditTables(schemaOf(dataSource)),
              config.auditRetention,
              (error) => logger.warn({ err: error.message }, 'audit prune failed; the next run tries again'),
            ),
        },
      ],
      exports: [ConnectorStore, CredentialVault, TokenEndpoint, ConnectOutcome],
    };
  }
}
