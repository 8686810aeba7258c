import { shown, strings } from './authorization-server-metadata';
import { DiscoveryError } from './discovery-error';
import { describe } from './fetch-document';

/** An OAuth 2.0 protected resource (an MCP server) as its metadata describes it (RFC 9728 §2). */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly metadataUrl: string;
  readonly authorizationServers: readonly string[];
  readonly scopesSupported: readonly string[];
  readonly name?: string;
}

/** The `resource_metadata` of a Bearer challenge (RFC 9728 §5.1), or `undefined`. */
export function resourceMetadataPointer(wwwAuthenticate: string | null): string | undefined {
  if (wwwAuthenticate === null || !/^\s*Bearer\b/i.test(wwwAuthenticate)) return undefined;
  return /(?:^|[\s,])resource_metadata="([^"]+)"/i.exec(wwwAuthenticate)?.[1];
}

/** RFC 9728 §3.1: the well-known segment inserted between the host and the resource's path. */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

/** @see https://www.rfc-editor.org/rfc/rfc9728#section-3.3 (the resource must be the one asked about) */
export function parseProtectedResourceMetadata(document: Record<string, unknown>, resource: string, metadataUrl: string): ProtectedResourceMetadata {
  const where = describe(metadataUrl);
  if (typeof document.resource !== 'string' || withoutTrailingSlash(document.resource) !== withoutTrailingSlash(resource)) {
    throw new DiscoveryError('resource_mismatch', `the resource metadata at ${where} describes ${shown(document.resource)}, not ${describe(resource)} (RFC 9728 §3.3)`);
  }
  const authorizationServers = strings(document, 'authorization_servers', where) ?? [];
  if (authorizationServers.length === 0) throw new DiscoveryError('invalid_metadata', `the resource metadata at ${where} names no authorization_servers`);
  const name = typeof document.resource_name === 'string' ? document.resource_name.slice(0, 200) : undefined;
  return {
    resource: document.resource,
    metadataUrl,
    authorizationServers,
    scopesSupported: strings(document, 'scopes_supported', where) ?? [],
    ...(name === undefined ? {} : { name }),
  };
}

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
