import { Keyring, generateVaultKey } from './keyring';

const oldKey = generateVaultKey('k1');
const newKey = generateVaultKey('k2');

describe('Keyring', () => {
  it('round-trips a secret and never stores it in plaintext', () => {
    const keyring = Keyring.fromConfig(oldKey);
    const sealed = keyring.seal('canary-secret', 'row-1');
    expect(sealed).not.toContain('canary-secret');
    expect(sealed.split('.')[1]).toBe('k1');
    expect(keyring.open(sealed, 'row-1')).toBe('canary-secret');
  });

  it('refuses a value moved to another context', () => {
    const keyring = Keyring.fromConfig(oldKey);
    expect(() => keyring.open(keyring.seal('s', 'row-1'), 'row-2')).toThrow(/failed authentication/);
  });

  it('reads values sealed under an older key after a new primary is added', () => {
    const sealedUnderOld = Keyring.fromConfig(oldKey).seal('s');
    const rotated = Keyring.fromConfig(`${oldKey},${newKey}`);
    expect(rotated.primaryKeyId).toBe('k2');
    expect(rotated.open(sealedUnderOld)).toBe('s');
    expect(rotated.needsRotation(sealedUnderOld)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('s'))).toBe(false);
  });

  it('names a missing key instead of returning garbage', () => {
    const sealed = Keyring.fromConfig(oldKey).seal('s');
    expect(() => Keyring.fromConfig(newKey).open(sealed)).toThrow('vault key "k1" is not configured');
  });

  it('rejects keys of the wrong length', () => {
    expect(() => Keyring.fromConfig('k1:c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
