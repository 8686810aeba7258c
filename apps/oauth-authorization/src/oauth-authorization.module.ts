import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ServiceRuntimeModule } from '@cb/service-runtime';
import { OAuth2AuthorizationLeg } from './authorization-url/oauth2-authorization-leg.adapter';
import { OAuthStateEntity } from './authorization-url/oauth-state.entity';
import { OAuthStateRepository } from './authorization-url/oauth-state.repository';
import { ConnectSessionEntity } from './connect-sessions/connect-session.entity';
import { ConnectSessionsHttpController } from './connect-sessions/connect-sessions.http.controller';
import { KnownConnectionEntity } from './connect-sessions/known-connection.entity';
import { OpenConnectSessionService } from './connect-sessions/open-connect-session.service';
import { ConnectorEntity } from './connectors/connector.entity';
import { ConnectorProjectionEventsController } from './connectors/connector-projection.events.controller';
import { ConnectorProjectionHttpController } from './connectors/connector-projection.http.controller';
import { HandleCallbackHttpController } from './handle-callback/handle-callback.http.controller';
import { HandleCallbackService } from './handle-callback/handle-callback.service';
import { MIGRATIONS } from './migrations';
import { OAUTH_AUTHORIZATION_CONFIG, OAuthAuthorizationConfig } from './oauth-authorization.config';
import { SessionOutcomeEventsController } from './session-outcome/session-outcome.events.controller';
import { SubmitCredentialsHttpController } from './submit-credentials/submit-credentials.http.controller';
import { SubmitAttributesHttpController } from './submit-attributes/submit-attributes.http.controller';
import { SubmitAttributesService } from './submit-attributes/submit-attributes.service';
import { SubmitCredentialsService } from './submit-credentials/submit-credentials.service';
import { ConnectSessionMetrics } from './oauth-authorization.metrics';

export const SCHEMA = 'oauth_authorization';
export const ENTITIES = [ConnectorEntity, ConnectSessionEntity, KnownConnectionEntity, OAuthStateEntity];

@Module({})
export class OAuthAuthorizationModule {
  static register(config: OAuthAuthorizationConfig, logger: Logger): DynamicModule {
    return {
      module: OAuthAuthorizationModule,
      imports: [ServiceRuntimeModule.forRoot({ config, logger, schema: SCHEMA, entities: ENTITIES, migrations: MIGRATIONS, usesKafka: true, internalApiToken: config.internalApiToken })],
      controllers: [
        ConnectorProjectionEventsController,
        ConnectorProjectionHttpController,
        SessionOutcomeEventsController,
        ConnectSessionsHttpController,
        SubmitCredentialsHttpController,
        SubmitAttributesHttpController,
        HandleCallbackHttpController,
      ],
      providers: [
        { provide: OAUTH_AUTHORIZATION_CONFIG, useValue: config },
        OAuthStateRepository,
        OAuth2AuthorizationLeg,
        OpenConnectSessionService,
        SubmitCredentialsService,
        SubmitAttributesService,
        HandleCallbackService,
        ConnectSessionMetrics,
      ],
    };
  }
}
