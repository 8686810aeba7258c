import { renderUrl, type UrlTemplateValues } from '../../url/url-template';
import { oauth2Urls, type OAuth2Config } from './oauth2-config';

export interface RenderedOAuth2Urls {
  readonly authorizationUrl?: string;
  readonly tokenUrl?: string;
  readonly revocationUrl?: string;
  readonly introspectionUrl?: string;
  readonly resource?: string;
}

/**
 * The connector's endpoint URLs for one connection; the tenant falls back to the connector's
 * `tenantId`.
 *
 * @throws `UrlTemplateError` when a placeholder has no value.
 */
export function renderOAuth2Urls(config: OAuth2Config, connection: UrlTemplateValues): RenderedOAuth2Urls {
  const values: UrlTemplateValues = { ...connection, tenant: connection.tenant ?? config.tenantId };
  return Object.fromEntries(oauth2Urls(config).map(({ field, url }) => [field, renderUrl(url, values)]));
}
