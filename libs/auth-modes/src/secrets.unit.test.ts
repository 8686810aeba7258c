import {
  mergeSecrets,
  redactedView,
  secretPaths,
  splitSecrets,
  validateAuthConfig,
  type AuthConfig,
} from '@cb/auth-modes';

function valid(input: unknown): AuthConfig {
  const result = validateAuthConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const oauth2 = valid({
  mode: 'OAUTH2',
  authorizationUrl: 'https://auth.example.com/authorize',
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'client-1',
  clientSecret: 'client-secret-1',
});

const custom = valid({
  mode: 'CUSTOM',
  fields: [
    { key: 'account', label: 'Account', type: 'text', default: 'acme' },
    { key: 'apiKey', label: 'API key', type: 'password', required: true },
    { key: 'signingKey', label: 'Signing key', type: 'password', default: 'default-signing-secret', hidden: true },
  ],
});

describe('secrets', () => {
  it('finds the client secret and password-field defaults', () => {
    expect(secretPaths(oauth2)).toEqual(['clientSecret']);
    expect(secretPaths(custom)).toEqual(['fields.signingKey.default']);
    expect(secretPaths(valid({ mode: 'BASIC' }))).toEqual([]);
  });

  it('splits secrets out so that the public part holds none', () => {
    const { publicConfig, secrets } = splitSecrets(custom);
    expect(secrets).toEqual({ 'fields.signingKey.default': 'default-signing-secret' });
    expect(JSON.stringify(publicConfig)).not.toContain('default-signing-secret');
    expect(JSON.stringify(publicConfig)).toContain('acme');

    const oauth2Split = splitSecrets(oauth2);
    expect(oauth2Split.secrets).toEqual({ clientSecret: 'client-secret-1' });
    expect(oauth2Split.publicConfig).not.toHaveProperty('clientSecret');
  });

  it('merges split secrets back into the same config', () => {
    for (const config of [oauth2, custom]) {
      const { publicConfig, secrets } = splitSecrets(config);
      expect(mergeSecrets(publicConfig, secrets)).toEqual(config);
    }
  });

  it('keeps a secret sent with an update and fills one that the update omitted', () => {
    const stored = splitSecrets(oauth2).secrets;
    const rotated = { ...splitSecrets(oauth2).publicConfig, clientSecret: 'rotated' } as AuthConfig;
    expect(mergeSecrets(rotated, stored)).toMatchObject({ clientSecret: 'rotated' });
    expect(mergeSecrets(splitSecrets(oauth2).publicConfig, stored)).toMatchObject({ clientSecret: 'client-secret-1' });
  });

  it('follows a password field by key when fields are reordered, and never fills a text field', () => {
    const { publicConfig, secrets } = splitSecrets(custom);
    if (publicConfig.mode !== 'CUSTOM') throw new Error('expected CUSTOM');
    const reordered: AuthConfig = { ...publicConfig, fields: [...publicConfig.fields].reverse() };
    expect(mergeSecrets(reordered, secrets)).toMatchObject({ fields: [{ key: 'signingKey', default: 'default-signing-secret' }, {}, {}] });

    const retyped: AuthConfig = {
      ...publicConfig,
      fields: publicConfig.fields.map((field) => (field.key === 'signingKey' ? { ...field, type: 'text' as const } : field)),
    };
    expect(JSON.stringify(mergeSecrets(retyped, secrets))).not.toContain('default-signing-secret');
  });

  it('redacts every secret slot to a marker', () => {
    expect(redactedView(oauth2)).toMatchObject({ clientSecret: { isSet: true }, clientId: 'client-1' });
    const view = redactedView(custom);
    expect(JSON.stringify(view)).not.toContain('default-signing-secret');
    expect(view).toMatchObject({
      fields: [{ key: 'account', default: 'acme' }, { key: 'apiKey', default: { isSet: false } }, { key: 'signingKey', default: { isSet: true } }],
    });
  });

  it('redacts a public config using the paths of the stored secrets', () => {
    const { publicConfig, secrets } = splitSecrets(oauth2);
    expect(redactedView(publicConfig)).toMatchObject({ clientSecret: { isSet: false } });
    expect(redactedView(publicConfig, Object.keys(secrets))).toMatchObject({ clientSecret: { isSet: true } });
  });
});
