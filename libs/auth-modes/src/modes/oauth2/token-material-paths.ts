import type { TokenResponsePaths } from './oauth2-config';

/** Members that carry token material in a token response, at any depth (Slack's `authed_user.access_token`). */
const TOKEN_MEMBERS = new Set(['access_token', 'refresh_token', 'id_token']);

/**
 * Why a path that copies a value out of the token response (a `metadataPaths` value, or the scope,
 * token type or expiry path) would copy token material, or `undefined`. Metadata is shown to
 * callers and admins; tokens are handed out only through the audited credential read. A path is
 * refused when a segment names a token member, or when it equals, contains or lies inside the
 * connector's own access-token or refresh-token path.
 */
export function tokenMaterialPathProblem(path: string, tokenPaths: TokenResponsePaths | undefined): string | undefined {
  if (path.split('.').some((segment) => TOKEN_MEMBERS.has(segment))) return 'must not name a token (access_token, refresh_token, id_token)';
  for (const tokenPath of [tokenPaths?.accessToken, tokenPaths?.refreshToken]) {
    if (tokenPath === undefined) continue;
    if (path === tokenPath || tokenPath.startsWith(`${path}.`) || path.startsWith(`${tokenPath}.`)) {
      return `must not copy the token at ${tokenPath}`;
    }
  }
  return undefined;
}

/** The first `metadataPaths` entry that would copy token material, named, or `undefined`. */
export function metadataPathsProblem(metadataPaths: unknown, tokenPaths: unknown): string | undefined {
  for (const [name, path] of Object.entries(isRecord(metadataPaths) ? metadataPaths : {})) {
    const problem = typeof path === 'string' ? tokenMaterialPathProblem(path, asPaths(tokenPaths)) : undefined;
    if (problem !== undefined) return `'${name}' ${problem}`;
  }
  return undefined;
}

/** The first of the scope, token type and expiry paths that would copy token material, or `undefined`. */
export function responsePathsProblem(tokenPaths: unknown): string | undefined {
  const paths = asPaths(tokenPaths);
  for (const member of ['scope', 'tokenType', 'expiresIn'] as const) {
    const path = paths?.[member];
    const problem = typeof path === 'string' ? tokenMaterialPathProblem(path, paths) : undefined;
    if (problem !== undefined) return `${member} ${problem}`;
  }
  return undefined;
}

function asPaths(value: unknown): TokenResponsePaths | undefined {
  return isRecord(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
