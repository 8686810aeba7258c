import { Inject, Injectable } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { OAUTH_AUTHORIZATION_CONFIG, OAuthAuthorizationConfig } from './oauth-authorization.config';

/** Only the gateway, holding INTERNAL_API_TOKEN, may call the internal API. */
@Injectable()
export class InternalGuard extends InternalApiGuard {
  constructor(@Inject(OAUTH_AUTHORIZATION_CONFIG) config: OAuthAuthorizationConfig) {
    super(config.internalApiToken);
  }
}
