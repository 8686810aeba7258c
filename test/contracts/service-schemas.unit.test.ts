/** The provisioning step makes each service's role own the schema the service migrates: one list, the same names. */
import { SERVICE_SCHEMAS } from '@cb/platform';
import { SCHEMA as CONNECTOR_CONFIG } from '../../apps/connector-config/src/connector-config.module';
import { SCHEMA as GATEWAY } from '../../apps/gateway/src/gateway.module';
import { SCHEMA as OAUTH_AUTHORIZATION } from '../../apps/oauth-authorization/src/oauth-authorization.module';
import { SCHEMA as TOKEN_ISSUANCE } from '../../apps/token-issuance/src/token-issuance.module';
import { SCHEMA as TOKEN_REFRESH } from '../../apps/token-refresh/src/token-refresh.module';

describe('service schemas', () => {
  it("are the schemas the services' roles are given", () => {
    expect(SERVICE_SCHEMAS).toEqual({
      gateway: GATEWAY,
      'connector-config': CONNECTOR_CONFIG,
      'oauth-authorization': OAUTH_AUTHORIZATION,
      'token-issuance': TOKEN_ISSUANCE,
      'token-refresh': TOKEN_REFRESH,
    });
  });
});
