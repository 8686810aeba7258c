import { renderUrl, type AuthConfig, type UrlTemplateValues } from '@cb/auth-modes';

/**
 * The issuer a connection's authorization response must name: the connector's `issuer` with its
 * `{tenant}` and `{attr.<key>}` placeholders filled exactly like its endpoint URLs (the tenant falls
 * back to the connector's `tenantId`). `null` when the connector names no issuer.
 *
 * @throws `UrlTemplateError` when a placeholder has no value.
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function expectedIssuerOf(config: AuthConfig, connection: UrlTemplateValues): string | null {
  if (config.mode !== 'OAUTH2' || !config.issuer) return null;
  const tenant = connection.tenant ?? config.tenantId;
  return renderUrl(config.issuer, { ...connection, ...(tenant === undefined ? {} : { tenant }) });
}

const MICROSOFT_LOGIN = 'https://login.microsoftonline.com/';
/** The tenant of personal Microsoft accounts; `consumers` answers with it. */
const MICROSOFT_CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Microsoft's multi-tenant aliases: the user signs in to their own tenant, so `iss` names that
 * tenant's id instead of the alias (their metadata says `…/{tenantid}/v2.0`).
 */
const MICROSOFT_TENANT_ALIASES: Readonly<Record<string, (tenantId: string) => boolean>> = {
  common: (tenantId) => TENANT_ID.test(tenantId),
  organizations: (tenantId) => TENANT_ID.test(tenantId) && tenantId.toLowerCase() !== MICROSOFT_CONSUMER_TENANT,
  consumers: (tenantId) => tenantId.toLowerCase() === MICROSOFT_CONSUMER_TENANT,
};

/**
 * Whether the authorization response's `iss` is the expected issuer: exactly equal, except that an
 * expected issuer on Microsoft's login host whose tenant is `common`, `organizations` or
 * `consumers` accepts the tenant id the user signed in to in that one path segment (any tenant id,
 * any but the personal-account tenant, or only that one). A missing `iss` never matches.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function issuerMatches(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  if (actual === expected) return true;
  const alias = splitMicrosoftTenant(expected);
  const given = splitMicrosoftTenant(actual);
  if (alias === undefined || given === undefined || given.rest !== alias.rest) return false;
  const accepts = Object.hasOwn(MICROSOFT_TENANT_ALIASES, alias.tenant) ? MICROSOFT_TENANT_ALIASES[alias.tenant] : undefined;
  return accepts?.(given.tenant) === true;
}

/** `https://login.microsoftonline.com/<tenant><rest>` into its tenant segment and the rest. */
function splitMicrosoftTenant(issuer: string): { tenant: string; rest: string } | undefined {
  if (!issuer.startsWith(MICROSOFT_LOGIN)) return undefined;
  const path = issuer.slice(MICROSOFT_LOGIN.length);
  const slash = path.indexOf('/');
  return slash === -1 ? { tenant: path, rest: '' } : { tenant: path.slice(0, slash), rest: path.slice(slash) };
}
