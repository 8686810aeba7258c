import { Inject, Injectable } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { SERVICE_CONFIG } from '@cb/service-runtime';
import type { ConnectorConfigConfig } from '../connector-config.config';

/** Only the gateway, holding INTERNAL_API_TOKEN, may call the internal API. */
@Injectable()
export class ConnectorInternalGuard extends InternalApiGuard {
  constructor(@Inject(SERVICE_CONFIG) config: ConnectorConfigConfig) {
    super(config.internalApiToken);
  }
}
