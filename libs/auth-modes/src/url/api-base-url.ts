import { Satisfies } from '../validation/decorators';
import { IDENTIFIER } from '../validation/patterns';
import { LOOPBACK_ENDPOINTS_GROUP, STRICT_ENDPOINTS_GROUP } from '../validation/validation-groups';
import { endpointUrlProblem } from './endpoint-url';
import { renderUrl, UrlTemplateError, type UrlTemplateValues } from './url-template';

const MAX_API_BASE_URL_LENGTH = 2048;
/** `{metadata.<key>}` at the very start: the origin comes from the token response (Salesforce's `instance_url`). */
const METADATA_ORIGIN = /^\{metadata\.([^{}]*)\}/;

export interface ApiBaseUrlValues extends UrlTemplateValues {
  /** The credential's kept token response values (OAuth2 only). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * What is wrong with a connector's `apiBaseUrl` template, or `undefined`. It follows the endpoint
 * URL rules (https, no credentials, no fragment, `{tenant}` and `{attr.<key>}` placeholders, a host
 * placeholder only before a fixed domain), takes no query string, and may start with
 * `{metadata.<key>}` (OAuth2 only): an origin the provider names in its token response.
 */
export function apiBaseUrlProblem(
  template: string,
  rules: { allowInsecureLoopback: boolean; attributes: ReadonlyMap<string, { readonly pattern?: string }>; metadataKeys?: readonly string[] },
): string | undefined {
  if (template.length > MAX_API_BASE_URL_LENGTH) return `must be at most ${MAX_API_BASE_URL_LENGTH} characters`;
  if (template.includes('?')) return 'must not contain a query string';
  const metadata = METADATA_ORIGIN.exec(template);
  if (metadata) {
    const key = metadata[1] ?? '';
    if (rules.metadataKeys === undefined) return 'may name {metadata.<key>} only in OAuth2 connectors';
    if (!IDENTIFIER.test(key) || !rules.metadataKeys.includes(key)) return `names {metadata.${key}}, which is not a metadataPaths key of this connector`;
    const rest = template.slice(metadata[0].length);
    if (rest !== '' && !rest.startsWith('/')) return 'must continue {metadata.<key>} with a path';
    return endpointUrlProblem(`https://metadata.example${rest}`, { ...rules, allowInsecureLoopback: false });
  }
  if (template.includes('{metadata.')) return 'may name {metadata.<key>} only as its whole origin, at the start';
  return endpointUrlProblem(template, rules);
}

/** Both URL policies on an `apiBaseUrl` member, as for the endpoint URLs (see validation-groups). */
export function ApiBaseUrl(): PropertyDecorator {
  const strict = Satisfies('isApiBaseUrl', (value, object) => problemOf(value, object, false), { groups: [STRICT_ENDPOINTS_GROUP] });
  const loopback = Satisfies('isApiBaseUrl', (value, object) => problemOf(value, object, true), { groups: [LOOPBACK_ENDPOINTS_GROUP] });
  return (target, property) => {
    strict(target, property);
    loopback(target, property);
  };
}

function problemOf(value: unknown, object: object, allowInsecureLoopback: boolean): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const source = object as { mode?: unknown; requiredAttributes?: unknown; metadataPaths?: unknown };
  const attributes = new Map<string, { pattern?: string }>();
  if (Array.isArray(source.requiredAttributes)) {
    for (const item of source.requiredAttributes as Array<{ key?: unknown; pattern?: unknown } | null>) {
      if (typeof item?.key === 'string') attributes.set(item.key, typeof item.pattern === 'string' ? { pattern: item.pattern } : {});
    }
  }
  const metadataKeys =
    source.mode === 'OAUTH2'
      ? Object.keys(typeof source.metadataPaths === 'object' && source.metadataPaths !== null ? source.metadataPaths : {})
      : undefined;
  return apiBaseUrlProblem(value, { allowInsecureLoopback, attributes, ...(metadataKeys === undefined ? {} : { metadataKeys }) });
}

/**
 * The API base URL for one connection, without a trailing slash. A `{metadata.<key>}` origin must be
 * an absolute `https://` origin (no path, query, credentials); http only when `allowInsecureLoopback`
 * and the host is a loopback one. Where it may connect to is still the outbound policy's decision.
 *
 * @throws `UrlTemplateError` when a value is missing or unusable.
 */
export function renderApiBaseUrl(template: string, values: ApiBaseUrlValues, allowInsecureLoopback = false): string {
  const metadata = METADATA_ORIGIN.exec(template);
  const rendered = metadata ? metadataOrigin(metadata[1] ?? '', values, allowInsecureLoopback) + template.slice(metadata[0].length) : renderUrl(template, values);
  return rendered.replace(/\/+$/, '');
}

function metadataOrigin(key: string, values: ApiBaseUrlValues, allowInsecureLoopback: boolean): string {
  const value = values.metadata?.[key];
  if (typeof value !== 'string' || value === '') throw new UrlTemplateError('missing_url_value', `URL template needs a value for {metadata.${key}}`, `metadata.${key}`);
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const loopback = url !== undefined && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const schemeOk = url?.protocol === 'https:' || (url?.protocol === 'http:' && allowInsecureLoopback && loopback);
  if (url === undefined || !schemeOk || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new UrlTemplateError('invalid_url_value', `{metadata.${key}} is not an https origin`, `metadata.${key}`);
  }
  return url.origin;
}
