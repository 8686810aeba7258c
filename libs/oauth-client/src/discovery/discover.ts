import { findAuthorizationServer, type AuthorizationServerMetadata } from './authorization-server-metadata';
import { DiscoveryError } from './discovery-error';
import { describe, type DocumentFetcher } from './fetch-document';
import { parseProtectedResourceMetadata, protectedResourceMetadataUrl, resourceMetadataPointer, type ProtectedResourceMetadata } from './protected-resource-metadata';

export interface Discovery {
  /** `protected_resource`: the URL is an MCP server (or another RFC 9728 resource) and tokens must name it. */
  readonly kind: 'authorization_server' | 'protected_resource';
  readonly authorizationServer: AuthorizationServerMetadata;
  readonly resource?: ProtectedResourceMetadata;
}

export interface DiscoverOptions {
  /** Production: the URL and everything it leads to must use https. */
  readonly requireHttps: boolean;
}

/**
 * What a URL leads to: an MCP server answers a request without a token with 401 and a pointer to
 * its resource metadata (RFC 9728 §5), whose authorization server is then discovered; any other URL
 * is tried as an issuer (then its origin), and last as a resource that publishes its metadata at
 * the well-known path without pointing at it.
 */
export async function discover(input: string, fetchDocument: DocumentFetcher, options: DiscoverOptions): Promise<Discovery> {
  const url = checkedUrl(input, options.requireHttps);
  const probe = await fetchDocument(url);
  const pointer = probe.status === 401 ? resourceMetadataPointer(probe.wwwAuthenticate) : undefined;
  if (pointer !== undefined) return viaResource(url, checkedUrl(pointer, options.requireHttps), fetchDocument, options);

  const rules = { requireHttps: options.requireHttps, requireAdvertisedPkce: false };
  for (const issuer of issuerCandidates(url)) {
    const authorizationServer = await findAuthorizationServer(issuer, fetchDocument, rules);
    if (authorizationServer !== undefined) return { kind: 'authorization_server', authorizationServer };
  }
  const wellKnown = protectedResourceMetadataUrl(url);
  if ((await fetchDocument(wellKnown)).json !== undefined) return viaResource(url, wellKnown, fetchDocument, options);
  throw new DiscoveryError('not_found', `no authorization server metadata (RFC 8414, OpenID Connect Discovery) or protected resource metadata (RFC 9728) was found for ${describe(url)}`);
}

async function viaResource(url: string, metadataUrl: string, fetchDocument: DocumentFetcher, options: DiscoverOptions): Promise<Discovery> {
  const document = await fetchDocument(metadataUrl);
  if (document.json === undefined) throw new DiscoveryError('not_found', `the resource metadata at ${describe(metadataUrl)} could not be read (HTTP ${document.status})`);
  const resource = parseProtectedResourceMetadata(document.json, url, metadataUrl);
  const rules = { requireHttps: options.requireHttps, requireAdvertisedPkce: true };
  for (const issuer of resource.authorizationServers) {
    const authorizationServer = await findAuthorizationServer(checkedUrl(issuer, options.requireHttps), fetchDocument, rules);
    if (authorizationServer !== undefined) return { kind: 'protected_resource', authorizationServer, resource };
  }
  throw new DiscoveryError('not_found', `none of the authorization servers of ${describe(url)} publishes its metadata`);
}

/** The URL as given (without query or fragment), then its origin. */
function issuerCandidates(url: string): string[] {
  const parsed = new URL(url);
  return [...new Set([`${parsed.origin}${parsed.pathname.replace(/\/$/, '')}`, parsed.origin])];
}

function checkedUrl(input: string, requireHttps: boolean): string {
  if (!URL.canParse(input)) throw new DiscoveryError('invalid_url', 'the URL must be absolute, such as https://login.example.com');
  const url = new URL(input);
  if (url.protocol !== 'https:' && (requireHttps || url.protocol !== 'http:')) throw new DiscoveryError('invalid_url', `${describe(input)} must use https`);
  if (url.username !== '' || url.password !== '') throw new DiscoveryError('invalid_url', 'the URL must not contain credentials');
  url.hash = '';
  return url.toString();
}
