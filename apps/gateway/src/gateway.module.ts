import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Logger } from 'pino';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { ApiKeys } from './api-keys/api-keys';
import { ApiKeysHttpController } from './api-keys/api-keys.http.controller';
import { ApiKeyAuthenticator, ApiKeyCache, ApiKeyGuard } from './auth';
import { ConnectorReadiness } from './connectors/connector-readiness';
import { ConnectorsHttpController } from './connectors/connectors.http.controller';
import { ConnectorTemplatesHttpController } from './connector-templates/connector-templates.http.controller';
import { FEATURE_MODULES } from './feature-modules';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config';
import { MIGRATIONS } from './migrations';
import { UpstreamClient } from './upstream';
import { ApiKeyEntity } from './workspaces/api-key.entity';
import { WorkspaceEntity } from './workspaces/workspace.entity';
import { WorkspacesHttpController } from './workspaces/workspaces.http.controller';

export const SCHEMA = 'gateway';
export const ENTITIES = [WorkspaceEntity, ApiKeyEntity];

/** What every feature module of the gateway may inject: its config, the upstream client, connector readiness and the API key check. */
@Global()
@Module({})
class GatewayCoreModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayCoreModule,
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, UpstreamClient, ConnectorReadiness, ApiKeyCache, ApiKeyAuthenticator],
      exports: [GATEWAY_CONFIG, UpstreamClient, ConnectorReadiness, ApiKeyCache, ApiKeyAuthenticator],
    };
  }
}

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: ENTITIES, migrations: MIGRATIONS, usesKafka: false }),
        GatewayCoreModule.register(config),
        ...FEATURE_MODULES,
      ],
      controllers: [ApiKeysHttpController, WorkspacesHttpController, ConnectorsHttpController, ConnectorTemplatesHttpController],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }, ApiKeys],
    };
  }
}
