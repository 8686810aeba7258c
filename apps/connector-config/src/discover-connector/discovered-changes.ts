import type { AuthConfig } from '@cb/auth-modes';

/** What a server publishes and a connector copies; scopes, parameters and the client stay the admin's. */
const PUBLISHED = ['authorizationUrl', 'tokenUrl', 'revocationUrl', 'introspectionUrl', 'issuer', 'resource'] as const;

export interface DiscoveredChange {
  path: string;
  current: string | null;
  discovered: string | null;
}

/** Where a connector's stored configuration differs from what its server publishes now. */
export function discoveredChanges(config: AuthConfig, draft: Record<string, unknown>): DiscoveredChange[] {
  const current = config as unknown as Record<string, unknown>;
  return PUBLISHED.flatMap((key) => {
    const before = typeof current[key] === 'string' ? (current[key]) : null;
    const after = typeof draft[key] === 'string' ? (draft[key]) : null;
    return before === after ? [] : [{ path: `config.${key}`, current: before, discovered: after }];
  });
}

/** The URL a connector's server is found from again: its resource, its issuer, or its authorization endpoint's origin. */
export function rediscoveryUrl(config: AuthConfig): string | undefined {
  if (config.mode !== 'OAUTH2') return undefined;
  const candidates = [config.resource, config.issuer, config.authorizationUrl === undefined ? undefined : originOf(config.authorizationUrl)];
  return candidates.find((url): url is string => url !== undefined && !url.includes('{'));
}

function originOf(url: string): string | undefined {
  return url.includes('{') || !URL.canParse(url) ? undefined : new URL(url).origin;
}
