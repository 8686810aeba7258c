/** The provider's signing key (ID tokens) and cookie keys, made once per store. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }), kid: `sandbox-${Date.now().toString(36)}`, use: 'sig', alg: 'RS256',
  };
}

export function newProviderKeys() {
  return {
    jwks: { keys: [signingKey()] },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
}
