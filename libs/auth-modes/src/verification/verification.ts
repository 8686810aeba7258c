import { proxyPathProblem, proxyPathProblemMessage } from '@cb/platform';

export const VERIFICATION_METHODS = ['GET', 'HEAD', 'POST'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/**
 * A cheap "who am I" request on the connector's API that tells a good credential from a bad one:
 * connecting a typed credential (API key, Basic, bearer, custom input) sends it, with the credential
 * applied exactly as the proxy applies it, and the connection is made only when the answer has
 * `expectedStatus`. `path` is relative to `apiBaseUrl` and may carry a query string. An OAuth2
 * connector sends it after the code exchange only when it says `afterOAuthExchange`.
 */
export interface VerificationRequest {
  readonly method: VerificationMethod;
  /** Starts with `/`; the proxy's path rules apply, so it cannot leave the base URL. */
  readonly path: string;
  readonly expectedStatus: number;
  /** OAuth2 only: send it with the new access token after the code exchange, before the connection is stored. */
  readonly afterOAuthExchange?: boolean;
}

const MAX_PATH_LENGTH = 2048;
const QUERY = /^[\x21-\x7E]*$/;

/** What is wrong with a verification path, or `undefined`. */
export function verificationPathProblem(path: string): string | undefined {
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (!path.startsWith('/')) return 'must start with / (it is relative to apiBaseUrl)';
  const cut = path.indexOf('?');
  const pathPart = cut === -1 ? path : path.slice(0, cut);
  const query = cut === -1 ? '' : path.slice(cut + 1);
  const problem = proxyPathProblem(pathPart);
  if (problem !== undefined) return `is refused: ${proxyPathProblemMessage(problem)}`;
  if (!QUERY.test(query) || query.includes('#')) return 'must have a query string of printable characters without spaces or #';
  return undefined;
}

/**
 * What a connector's configuration lacks for its verification request to be sent, or `undefined`:
 * a base URL to send it to and, for Custom Input, a placement that puts the credential on it.
 */
export function verificationContextProblem(config: { mode?: unknown; apiBaseUrl?: unknown; placement?: unknown; verification?: unknown }): string | undefined {
  if (config.apiBaseUrl === undefined) return 'needs apiBaseUrl: its path is relative to it';
  const afterOAuthExchange = (config.verification as { afterOAuthExchange?: unknown } | undefined)?.afterOAuthExchange;
  if (afterOAuthExchange !== undefined && config.mode !== 'OAUTH2') return 'may say afterOAuthExchange only in OAuth2 connectors';
  if (config.mode === 'CUSTOM' && config.placement === undefined) return 'needs placement: it says where the credential goes on the request';
  return undefined;
}
