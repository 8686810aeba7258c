import { generateVaultKey, Keyring } from '@cb/vault-crypto';
import { ConnectorSecrets } from './connector-secrets';
import type { ConnectorEntity } from './connector.entity';
import { toConnectorResponse } from './connector.mapper';

describe('connector secrets', () => {
  const keyring = Keyring.fromConfig(generateVaultKey('k1'));
  const secrets = new ConnectorSecrets(keyring);
  const id = '6f1c1c7e-3f9e-4a53-9a49-3c1d0f2b9d10';

  it('seals each secret for its row and path: a value cannot be moved to another path or row', () => {
    const sealed = secrets.seal(id, { clientSecret: 's3cret', 'fields.apiKey.default': 'k3y' });
    expect(JSON.stringify(sealed)).not.toMatch(/s3cret|k3y/);
    expect(secrets.open(id, sealed)).toEqual({ clientSecret: 's3cret', 'fields.apiKey.default': 'k3y' });
    expect(() => secrets.open(id, { clientSecret: sealed['fields.apiKey.default'] as string })).toThrow();
    expect(() => secrets.open('00000000-0000-4000-8000-000000000000', sealed)).toThrow();
  });

  it('re-seals for ConnectorActivated with the event context, field defaults by key', () => {
    const event = secrets.forEvent(id, { clientSecret: 's3cret', 'fields.apiKey.default': 'k3y' });
    expect(keyring.open(event.clientSecret as string, `ConnectorActivated:${id}`)).toBe('s3cret');
    expect(keyring.open(event.fieldDefaults?.apiKey as string, `ConnectorActivated:${id}`)).toBe('k3y');
    expect(secrets.forEvent(id, {})).toEqual({});
  });

  it('shows stored secrets as { isSet: true } and nothing else', () => {
    const now = new Date();
    const connector: ConnectorEntity = {
      id,
      workspaceId: id,
      slug: 's',
      name: 'n',
      mode: 'CUSTOM',
      status: 'inactive',
      version: 3,
      config: { mode: 'CUSTOM', fields: [{ key: 'apiKey', label: 'Key', type: 'password', required: true, hidden: false, disabled: false }] },
      sealedSecrets: secrets.seal(id, { 'fields.apiKey.default': 'k3y' }),
      templateId: null,
      createdAt: now,
      updatedAt: now,
      activatedAt: null,
      deactivatedAt: now,
    };
    const view = toConnectorResponse(connector);
    expect(view.config).toEqual({ mode: 'CUSTOM', fields: [{ key: 'apiKey', label: 'Key', type: 'password', required: true, hidden: false, disabled: false, default: { isSet: true } }] });
    expect(JSON.stringify(view)).not.toContain('v1.');
    expect(view.statusNote).toMatch(/existing connections keep working/);
  });
});
