import { displayPrefix, generateApiKey, hashSecret, parseApiKey, secretMatches } from './api-key-format';

describe('API key format', () => {
  it('generates cbk_<publicId>_<secret> keys that parse back and match only their own hash', () => {
    const { key, publicId, secretHash } = generateApiKey();
    const parsed = parseApiKey(key);
    expect(parsed?.publicId).toBe(publicId);
    expect(key.startsWith(displayPrefix(publicId))).toBe(true);
    expect(secretMatches(parsed?.secret ?? '', secretHash)).toBe(true);
    expect(secretMatches(`${parsed?.secret.slice(0, -1)}A`, secretHash)).toBe(parsed?.secret.endsWith('A') ?? false);
    expect(secretHash.equals(hashSecret(parsed?.secret ?? ''))).toBe(true);
  });

  it('treats an unknown key (no stored hash) as a mismatch', () => {
    const parsed = parseApiKey(generateApiKey().key);
    expect(secretMatches(parsed?.secret ?? '', undefined)).toBe(false);
  });

  it.each(['', 'cbk_', 'cbk_0123456789abcdef', 'cbk_0123456789ABCDEF_' + 'a'.repeat(43), 'xyz_0123456789abcdef_' + 'a'.repeat(43), 'cbk_0123456789abcdef_' + 'a'.repeat(42)])(
    'rejects the malformed key %p',
    (key) => expect(parseApiKey(key)).toBeUndefined(),
  );
});
