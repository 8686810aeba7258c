import {
  credentialExpiry,
  validateAuthConfig,
  validateCredentialInput,
  type AuthConfig,
  type CredentialInput,
  type FieldError,
} from '@cb/auth-modes';

function valid(input: unknown): AuthConfig {
  const result = validateAuthConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

function accepted(config: AuthConfig, input: unknown): CredentialInput {
  const result = validateCredentialInput(config, input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

function refused(config: AuthConfig, input: unknown): FieldError[] {
  const result = validateCredentialInput(config, input);
  if (result.ok) throw new Error('expected the input to be refused');
  return result.errors;
}

const paths = (errors: FieldError[]): string[] => errors.map((error) => error.path);

const basic = valid({ mode: 'BASIC' });
const apiKey = valid({ mode: 'API_KEY' });
const bearer = valid({ mode: 'BEARER' });
const custom = valid({
  mode: 'CUSTOM',
  fields: [
    { key: 'apiKey', label: 'API key', type: 'password', required: true },
    { key: 'region', label: 'Region', type: 'text', default: 'eu' },
    { key: 'note', label: 'Note', type: 'text' },
    { key: 'expires_in', label: 'Expires in', type: 'number', default: 100000, hidden: true, disabled: true },
    { key: 'timeout', label: 'Timeout', type: 'number' },
  ],
  expiry: { fromField: 'expires_in' },
});

describe('validateCredentialInput', () => {
  it('accepts Basic credentials and keeps the password exactly', () => {
    expect(accepted(basic, { username: 'ada', password: ' pass word ' })).toEqual({ mode: 'BASIC', username: 'ada', password: ' pass word ' });
  });

  it('refuses a Basic username with a colon, and missing values', () => {
    expect(paths(refused(basic, { username: 'a:b', password: 'x' }))).toEqual(['username']);
    expect(paths(refused(basic, { username: 'ada' }))).toEqual(['password']);
  });

  it('accepts and trims an API key or bearer token', () => {
    expect(accepted(apiKey, { apiKey: ' key-1\t' })).toEqual({ mode: 'API_KEY', apiKey: 'key-1' });
    expect(accepted(bearer, { token: 'tok', mode: 'BEARER' })).toEqual({ mode: 'BEARER', token: 'tok' });
  });

  it('refuses unknown keys, another mode, control characters and wrong types', () => {
    expect(paths(refused(apiKey, { apiKey: 'k', token: 't' }))).toEqual(['token']);
    expect(paths(refused(apiKey, { apiKey: 'k', mode: 'BEARER' }))).toEqual(['mode']);
    expect(paths(refused(apiKey, { apiKey: 'k\r\nX-Injected: 1' }))).toEqual(['apiKey']);
    expect(paths(refused(bearer, { token: 42 }))).toEqual(['token']);
    expect(paths(refused(bearer, 'token'))).toEqual(['']);
  });

  it('refuses input for OAuth2 connectors', () => {
    const oauth2 = valid({ mode: 'OAUTH2', authorizationUrl: 'https://a.example.com', tokenUrl: 'https://a.example.com/t', clientId: 'c' });
    expect(paths(refused(oauth2, { token: 'x' }))).toEqual(['mode']);
  });

  describe('Custom Input', () => {
    it('applies defaults and leaves out optional fields left empty', () => {
      expect(accepted(custom, { values: { apiKey: 'k', note: '' } })).toEqual({
        mode: 'CUSTOM',
        values: { apiKey: 'k', region: 'eu', expires_in: 100000 },
      });
    });

    it('enforces required fields', () => {
      expect(refused(custom, { values: { region: 'us' } })).toEqual([{ path: 'values.apiKey', message: 'apiKey is required' }]);
      expect(paths(refused(custom, {}))).toEqual(['values.apiKey']);
    });

    it('takes numbers or numeric strings for number fields', () => {
      expect(accepted(custom, { values: { apiKey: 'k', timeout: '30' } })).toMatchObject({ values: { timeout: 30 } });
      expect(paths(refused(custom, { values: { apiKey: 'k', timeout: 'soon' } }))).toEqual(['values.timeout']);
      expect(paths(refused(custom, { values: { apiKey: 'k', region: 7 } }))).toEqual(['values.region']);
    });

    it('keeps hidden and disabled fields at their default', () => {
      expect(paths(refused(custom, { values: { apiKey: 'k', expires_in: 5 } }))).toEqual(['values.expires_in']);
      expect(accepted(custom, { values: { apiKey: 'k', expires_in: 100000 } })).toMatchObject({ values: { expires_in: 100000 } });
    });

    it('refuses unknown fields', () => {
      expect(paths(refused(custom, { values: { apiKey: 'k', secret: 'x' } }))).toEqual(['values.secret']);
      expect(paths(refused(custom, { values: { apiKey: 'k' }, extra: 1 }))).toEqual(['extra']);
      expect(paths(refused(custom, { values: [] }))).toEqual(['values']);
    });

    it('never repeats a submitted value in a message', () => {
      const canary = 'CANARY-77ab';
      const errors = refused(custom, { values: { apiKey: `${canary}\n`, timeout: canary, region: { canary } } });
      expect(errors).toHaveLength(3);
      expect(JSON.stringify(errors)).not.toContain(canary);
    });
  });
});

describe('credentialExpiry', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('counts the seconds held by the expiry field', () => {
    const input = accepted(custom, { values: { apiKey: 'k' } });
    expect(credentialExpiry(custom, input, now)).toEqual(new Date('2026-01-02T03:46:40Z'));
  });

  it('uses a fixed lifetime', () => {
    const config = valid({ mode: 'CUSTOM', fields: [{ key: 'k', label: 'K', type: 'text' }], expiry: { lifetimeSeconds: 60 } });
    expect(credentialExpiry(config, accepted(config, { values: { k: 'x' } }), now)).toEqual(new Date('2026-01-01T00:01:00Z'));
  });

  it('is null when nothing gives an expiry', () => {
    const config = valid({ mode: 'CUSTOM', fields: [{ key: 'ttl', label: 'TTL', type: 'number' }], expiry: { fromField: 'ttl' } });
    expect(credentialExpiry(config, accepted(config, { values: {} }), now)).toBeNull();
    expect(credentialExpiry(apiKey, accepted(apiKey, { apiKey: 'k' }), now)).toBeNull();
  });
});
