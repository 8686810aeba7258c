import { ConfigError } from '@cb/platform';
import { loadDatabaseRolesConfig } from './database-roles.config';

const PASSWORDS = {
  GATEWAY_DATABASE_PASSWORD: 'gateway-password-0123',
  CONNECTOR_CONFIG_DATABASE_PASSWORD: 'connector-config-password-0123',
  OAUTH_AUTHORIZATION_DATABASE_PASSWORD: 'oauth-authorization-password-0123',
  TOKEN_ISSUANCE_DATABASE_PASSWORD: 'token-issuance-password-0123',
  TOKEN_REFRESH_DATABASE_PASSWORD: 'token-refresh-password-0123',
};

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadDatabaseRolesConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('database-roles configuration', () => {
  it('takes the admin URL, the prefix (cb_ by default) and a password per service', () => {
    expect(loadDatabaseRolesConfig({ DATABASE_ADMIN_URL: 'postgres://postgres@db/cb', ...PASSWORDS })).toEqual({
      adminUrl: 'postgres://postgres@db/cb',
      prefix: 'cb_',
      passwords: {
        gateway: 'gateway-password-0123',
        'connector-config': 'connector-config-password-0123',
        'oauth-authorization': 'oauth-authorization-password-0123',
        'token-issuance': 'token-issuance-password-0123',
        'token-refresh': 'token-refresh-password-0123',
      },
    });
  });

  it('names every missing or malformed variable at once, never a password', () => {
    const weak = 'weak pass';
    const found = problems({ DATABASE_ADMIN_URL: 'mysql://db', DATABASE_ROLE_PREFIX: 'CB-', ...PASSWORDS, GATEWAY_DATABASE_PASSWORD: weak, TOKEN_REFRESH_DATABASE_PASSWORD: '' });
    expect(found).toEqual([
      'DATABASE_ADMIN_URL must use postgres: or postgresql:',
      expect.stringMatching(/^DATABASE_ROLE_PREFIX: must be lower-case letters/),
      expect.stringMatching(/^GATEWAY_DATABASE_PASSWORD: must be 16 to 200 characters/),
      'TOKEN_REFRESH_DATABASE_PASSWORD is required but not set',
    ]);
    expect(found.join('\n')).not.toContain(weak);
  });
});
