import { createPkcePair, pkceChallenge, randomState } from '@cb/oauth-client';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

describe('PKCE', () => {
  it('matches the S256 example of RFC 7636 Appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes a 43-character verifier from 32 random octets, with its challenge', () => {
    const pair = createPkcePair();
    expect(pair.method).toBe('S256');
    expect(pair.verifier).toMatch(BASE64URL);
    expect(pair.verifier).toHaveLength(43);
    expect(Buffer.from(pair.verifier, 'base64url')).toHaveLength(32);
    expect(pair.challenge).toBe(pkceChallenge(pair.verifier));
  });

  it('makes a fresh verifier every time', () => {
    const verifiers = new Set(Array.from({ length: 100 }, () => createPkcePair().verifier));
    expect(verifiers.size).toBe(100);
  });
});

describe('randomState', () => {
  it('carries at least 128 bits, base64url, never repeating', () => {
    const states = Array.from({ length: 100 }, () => randomState());
    for (const state of states) {
      expect(state).toMatch(BASE64URL);
      expect(Buffer.from(state, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
    expect(new Set(states).size).toBe(100);
  });
});
