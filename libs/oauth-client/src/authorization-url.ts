export interface AuthorizationUrlOptions {
  /** The connector's authorization endpoint, placeholders already rendered. */
  readonly authorizationUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly scopes?: readonly string[];
  /** Defaults to a space. */
  readonly scopeSeparator?: string;
  /** Defaults to `scope`; Slack user tokens use `user_scope`. */
  readonly scopeParam?: string;
  /** The S256 challenge from `createPkcePair`. */
  readonly codeChallenge?: string;
  /** Provider-specific parameters such as `prompt=consent`; they may not replace the ones set here. */
  readonly params?: Readonly<Record<string, string>>;
}

const FLOW_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method'];

/**
 * The URL to send the end user to: an authorization-code request, with PKCE when a challenge is
 * given. Query parameters already in the endpoint URL are kept.
 *
 * @throws Error when `params` tries to set a parameter of the flow itself.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export function buildAuthorizationRequestUrl(options: AuthorizationUrlOptions): string {
  const scopeParam = options.scopeParam ?? 'scope';
  const url = new URL(options.authorizationUrl);
  for (const [name, value] of Object.entries(options.params ?? {})) {
    if (FLOW_PARAMS.includes(name) || name === scopeParam) throw new Error(`The authorization parameter ${name} is set by the flow`);
    url.searchParams.set(name, value);
  }
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('state', options.state);
  if (options.scopes !== undefined && options.scopes.length > 0) {
    url.searchParams.set(scopeParam, options.scopes.join(options.scopeSeparator ?? ' '));
  }
  if (options.codeChallenge !== undefined) {
    url.searchParams.set('code_challenge', options.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}
