import { createHash, createHmac } from 'node:crypto';
import { checkRolePassword, checkRolePrefix, DATABASE_SERVICES, scramSha256Verifier, serviceDatabaseUrl, servicePasswordVariable, serviceRole } from './service-roles';

describe('service roles', () => {
  it('names each role after its schema, with the prefix', () => {
    expect(DATABASE_SERVICES.map((service) => serviceRole(service))).toEqual(['cb_gateway', 'cb_connector_config', 'cb_oauth_authorization', 'cb_token_issuance', 'cb_token_refresh']);
    expect(serviceRole('token-refresh', 'cb_t1a2b3c_')).toBe('cb_t1a2b3c_token_refresh');
    expect(DATABASE_SERVICES.map(servicePasswordVariable)).toEqual([
      'GATEWAY_DATABASE_PASSWORD',
      'CONNECTOR_CONFIG_DATABASE_PASSWORD',
      'OAUTH_AUTHORIZATION_DATABASE_PASSWORD',
      'TOKEN_ISSUANCE_DATABASE_PASSWORD',
      'TOKEN_REFRESH_DATABASE_PASSWORD',
    ]);
  });

  it('refuses a prefix that would need quoting', () => {
    for (const prefix of ['Cb_', 'cb-', 'cb_"; DROP ROLE x; --', '1cb_', '']) expect(() => checkRolePrefix(prefix)).toThrow(/lower-case letters/);
  });

  it('refuses a short password or one a URL would have to escape, without showing it', () => {
    for (const password of ['short', 'with space in it 0123', 'with@at-sign-0123456', "quote'd-0123456789"]) {
      let message = '';
      try {
        checkRolePassword(password);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/16 to 200 characters/);
      expect(message).not.toContain(password);
    }
    expect(checkRolePassword('a'.repeat(16))).toBe('a'.repeat(16));
  });

  it("puts the role and its password into the service's URL, keeping host, database and parameters", () => {
    expect(serviceDatabaseUrl('postgres://postgres:admin@db.internal:5432/credential_broker?sslmode=require', 'cb_gateway', 'p4ss.word_~-0123456')).toBe(
      'postgres://cb_gateway:p4ss.word_~-0123456@db.internal:5432/credential_broker?sslmode=require',
    );
    expect(serviceDatabaseUrl('postgres://postgres@127.0.0.1:15432/test_1', 'cb_token_refresh', 'x'.repeat(16))).toBe(`postgres://cb_token_refresh:${'x'.repeat(16)}@127.0.0.1:15432/test_1`);
  });

  it('computes the SCRAM-SHA-256 verifier of RFC 7677 §3 (user "user", password "pencil")', () => {
    const verifier = scramSha256Verifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    const match = /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$([^:]+):(.+)$/.exec(verifier);
    expect(match).not.toBeNull();
    const [storedKey, serverKey] = [Buffer.from(match?.[1] ?? '', 'base64'), Buffer.from(match?.[2] ?? '', 'base64')];
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    // The server's signature in the RFC's exchange comes from ServerKey ...
    expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    // ... and the client's proof opens to a ClientKey whose hash is StoredKey.
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (signature[i] ?? 0)));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
  });

  it('salts every verifier afresh', () => {
    expect(scramSha256Verifier('the same password')).not.toBe(scramSha256Verifier('the same password'));
  });
});
