import { configFromTemplate, UrlTemplateError, validateAuthConfig, type AuthConfig, type OAuth2ConfigInput } from '@cb/auth-modes';
import { expectedIssuerOf, issuerMatches } from './expected-issuer';

const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const WORK_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

function config(input: Partial<OAuth2ConfigInput>): AuthConfig {
  const result = validateAuthConfig({ mode: 'OAUTH2', clientId: 'client', ...input }, { partial: true });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('expectedIssuerOf', () => {
  it('expands {tenant} in the issuer for the connection, like the URLs', () => {
    const keycloak = config({ issuer: 'https://sso.example.com/realms/{tenant}', authorizationUrl: 'https://sso.example.com/realms/{tenant}/auth' });
    expect(expectedIssuerOf(keycloak, { tenant: 'acme', attributes: {} })).toBe('https://sso.example.com/realms/acme');
  });

  it("falls back to the connector's tenantId, which defaults to common when only the issuer names {tenant}", () => {
    expect(expectedIssuerOf(config({ issuer: 'https://login.example.com/{tenant}/v2.0', tenantId: 'contoso' }), { attributes: {} })).toBe('https://login.example.com/contoso/v2.0');
    expect(expectedIssuerOf(config({ issuer: 'https://login.example.com/{tenant}/v2.0' }), { attributes: {} })).toBe('https://login.example.com/common/v2.0');
  });

  it('expands {attr.<key>} placeholders', () => {
    const okta = config({
      issuer: 'https://{attr.subdomain}.okta.com/oauth2/default',
      requiredAttributes: [{ key: 'subdomain', label: 'Okta subdomain', pattern: '[a-z0-9-]+' }],
    });
    expect(expectedIssuerOf(okta, { attributes: { subdomain: 'acme' } })).toBe('https://acme.okta.com/oauth2/default');
  });

  it('percent-encodes a value so it cannot change the issuer beyond its segment', () => {
    expect(expectedIssuerOf(config({ issuer: 'https://sso.example.com/realms/{tenant}' }), { tenant: 'a/b', attributes: {} })).toBe('https://sso.example.com/realms/a%2Fb');
  });

  it('is null without an issuer, and a missing value is a UrlTemplateError', () => {
    expect(expectedIssuerOf(config({}), { tenant: 'acme', attributes: {} })).toBeNull();
    const needsAttribute = config({ issuer: 'https://{attr.host}/', requiredAttributes: [{ key: 'host', label: 'Host', pattern: '[a-z]+\\.example\\.com' }] });
    expect(() => expectedIssuerOf(needsAttribute, { attributes: {} })).toThrow(UrlTemplateError);
  });
});

describe('issuerMatches', () => {
  const microsoft = (tenant: string): string => `https://login.microsoftonline.com/${tenant}/v2.0`;

  it('accepts only the exact issuer elsewhere, and never a missing iss', () => {
    expect(issuerMatches('https://sso.example.com/realms/acme', 'https://sso.example.com/realms/acme')).toBe(true);
    expect(issuerMatches('https://sso.example.com/realms/acme', 'https://sso.example.com/realms/globex')).toBe(false);
    expect(issuerMatches('https://sso.example.com/realms/acme', 'https://sso.example.com/realms/acme/')).toBe(false);
    expect(issuerMatches('https://sso.example.com/realms/acme', undefined)).toBe(false);
  });

  it('a specific Microsoft tenant accepts only itself', () => {
    expect(issuerMatches(microsoft(WORK_TENANT), microsoft(WORK_TENANT))).toBe(true);
    expect(issuerMatches(microsoft(WORK_TENANT), microsoft(CONSUMER_TENANT))).toBe(false);
    expect(issuerMatches(microsoft('contoso.onmicrosoft.com'), microsoft(WORK_TENANT))).toBe(false);
  });

  it('common accepts the tenant id the user signed in to, work or personal', () => {
    expect(issuerMatches(microsoft('common'), microsoft(WORK_TENANT))).toBe(true);
    expect(issuerMatches(microsoft('common'), microsoft(CONSUMER_TENANT))).toBe(true);
  });

  it('organizations accepts any work tenant id but not the personal-account tenant', () => {
    expect(issuerMatches(microsoft('organizations'), microsoft(WORK_TENANT))).toBe(true);
    expect(issuerMatches(microsoft('organizations'), microsoft(CONSUMER_TENANT))).toBe(false);
  });

  it('consumers accepts only the personal-account tenant', () => {
    expect(issuerMatches(microsoft('consumers'), microsoft(CONSUMER_TENANT))).toBe(true);
    expect(issuerMatches(microsoft('consumers'), microsoft(WORK_TENANT))).toBe(false);
  });

  it('an alias accepts a tenant id in its segment only: not a name, another host, path or suffix', () => {
    expect(issuerMatches(microsoft('common'), microsoft('common'))).toBe(true);
    expect(issuerMatches(microsoft('common'), microsoft('contoso.onmicrosoft.com'))).toBe(false);
    expect(issuerMatches(microsoft('common'), `https://login.microsoftonline.com/${WORK_TENANT}/v2.0/`)).toBe(false);
    expect(issuerMatches(microsoft('common'), `https://login.microsoftonline.com/${WORK_TENANT}`)).toBe(false);
    expect(issuerMatches(microsoft('common'), `https://login.microsoftonline.com/${WORK_TENANT}/extra/v2.0`)).toBe(false);
    expect(issuerMatches(microsoft('common'), `https://login.microsoftonline.com.evil.example/${WORK_TENANT}/v2.0`)).toBe(false);
    expect(issuerMatches(microsoft('common'), `https://attacker.example/${WORK_TENANT}/v2.0`)).toBe(false);
    expect(issuerMatches(microsoft('common'), `https://sts.windows.net/${WORK_TENANT}/`)).toBe(false);
    expect(issuerMatches(microsoft('common'), undefined)).toBe(false);
  });

  it('the alias rule holds only on Microsoft login: a realm named common elsewhere is exact', () => {
    expect(issuerMatches('https://sso.example.com/common/v2.0', `https://sso.example.com/${WORK_TENANT}/v2.0`)).toBe(false);
    expect(issuerMatches('https://sso.example.com/common', 'https://sso.example.com/common')).toBe(true);
  });

  it('a Microsoft connector that names the v2 issuer and the default tenant accepts the user tenant', () => {
    const fromTemplate = validateAuthConfig({ ...configFromTemplate('microsoft', { clientId: 'client' }), issuer: microsoft('{tenant}') });
    if (!fromTemplate.ok) throw new Error(JSON.stringify(fromTemplate.errors));
    const expected = expectedIssuerOf(fromTemplate.value, { attributes: {} });
    expect(expected).toBe(microsoft('common'));
    expect(issuerMatches(expected as string, microsoft(WORK_TENANT))).toBe(true);
    expect(issuerMatches(expectedIssuerOf(fromTemplate.value, { tenant: WORK_TENANT, attributes: {} }) as string, microsoft(CONSUMER_TENANT))).toBe(false);
  });
});
