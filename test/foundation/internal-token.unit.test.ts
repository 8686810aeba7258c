/**
 * INTERNAL_API_TOKEN guards every back-end service's internal API: a short one could be guessed
 * from inside the network, so each service that holds it refuses to start with fewer than 32
 * characters, naming the variable and never showing the value.
 */
import { ConfigError, INTERNAL_API_TOKEN_MIN_LENGTH } from '@cb/platform';
import { generateVaultKey } from '@cb/vault-crypto';
import { loadConnectorConfigConfig } from '../../apps/connector-config/src/connector-config.config';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { loadOAuthAuthorizationConfig } from '../../apps/oauth-authorization/src/oauth-authorization.config';
import { loadTokenIssuanceConfig } from '../../apps/token-issuance/src/token-issuance.config';

const LOADERS: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  gateway: loadGatewayConfig,
  'connector-config': loadConnectorConfigConfig,
  'oauth-authorization': loadOAuthAuthorizationConfig,
  'token-issuance': loadTokenIssuanceConfig,
};

const baseEnv = (token: string): NodeJS.ProcessEnv => ({
  DATABASE_URL: 'postgres://cb@127.0.0.1/cb',
  KAFKA_BROKERS: '127.0.0.1:9092',
  VAULT_KEYS: generateVaultKey('k1'),
  INTERNAL_API_TOKEN: token,
  PUBLIC_BASE_URL: 'https://broker.example.com',
  OAUTH_REDIRECT_URI: 'https://broker.example.com/oauth/callback',
  CONNECTOR_CONFIG_URL: 'http://connector-config:3001',
  OAUTH_AUTHORIZATION_URL: 'http://oauth-authorization:3002',
  TOKEN_ISSUANCE_URL: 'http://token-issuance:3003',
});

describe.each(Object.entries(LOADERS))('INTERNAL_API_TOKEN of %s', (_, load) => {
  it(`refuses a token shorter than ${INTERNAL_API_TOKEN_MIN_LENGTH} characters, naming the variable and not the value`, () => {
    const short = 'guessable-internal-token-31chars';
    expect(short.length).toBe(INTERNAL_API_TOKEN_MIN_LENGTH);
    const tooShort = short.slice(1);
    let problems: string[] = [];
    try {
      load(baseEnv(tooShort));
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^INTERNAL_API_TOKEN: must be at least 32 characters long/)]);
    expect(problems.join()).not.toContain(tooShort);
  });

  it('accepts a token of 32 characters', () => {
    expect(() => load(baseEnv('x'.repeat(INTERNAL_API_TOKEN_MIN_LENGTH)))).not.toThrow();
  });
});
