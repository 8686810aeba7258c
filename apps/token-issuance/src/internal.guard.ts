import { Inject, Injectable } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { TOKEN_ISSUANCE_CONFIG, TokenIssuanceConfig } from './token-issuance.config';

/** Only the gateway, holding INTERNAL_API_TOKEN, may call the internal API. */
@Injectable()
export class InternalGuard extends InternalApiGuard {
  constructor(@Inject(TOKEN_ISSUANCE_CONFIG) config: TokenIssuanceConfig) {
    super(config.internalApiToken);
  }
}
