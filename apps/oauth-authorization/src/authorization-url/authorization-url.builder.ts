import { Strategy as OAuth2Strategy, type StrategyOptions } from 'passport-oauth2';
import { renderUrl, type OAuth2Config } from '@cb/auth-modes';
import { AppError } from '@cb/platform';
import { PostgresStateStore, StateBinding, StateStoreRequest } from './postgres-state-store';

/** A per-connector passport-oauth2 strategy: the connector's own authorization parameters. */
class ConnectorStrategy extends OAuth2Strategy {
  constructor(
    options: StrategyOptions,
    private readonly extraParams: Record<string, string>,
  ) {
    super(options, () => undefined);
  }

  override authorizationParams(): object {
    return { ...this.extraParams };
  }
}

export interface AuthorizationRequest {
  config: OAuth2Config;
  redirectUri: string;
  tenant: string | undefined;
  attributes: Record<string, string>;
  binding: Omit<StateBinding, 'redirectUri' | 'requestedScopes'>;
}

/**
 * Builds the authorization URL with passport-oauth2 (response_type=code, client_id, scope, exact
 * redirect_uri, state and PKCE S256 from the PostgreSQL store) by running the strategy's first leg on
 * a minimal request and capturing its redirect. The code is never exchanged here.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export async function buildAuthorizationUrl(store: PostgresStateStore, request: AuthorizationRequest, req: StateStoreRequest): Promise<string> {
  const { config } = request;
  if (!config.authorizationUrl || !config.clientId) throw new AppError('connector_incomplete', 'the connector has no authorization URL or client ID', 409);
  const values = { ...(request.tenant === undefined ? {} : { tenant: request.tenant }), attributes: request.attributes };
  const authorizationUrl = renderUrl(config.authorizationUrl, values);
  const extra: Record<string, string> = { ...config.authorizationParams };
  const scopes = [...config.scopes];
  const useScopeOption = config.scopeParam === 'scope';
  if (!useScopeOption && scopes.length > 0) extra[config.scopeParam] = scopes.join(config.scopeSeparator);
  const strategy = new ConnectorStrategy(
    {
      authorizationURL: authorizationUrl,
      tokenURL: authorizationUrl,
      clientID: config.clientId,
      // the authorization leg never authenticates the client; the secret stays with token-issuance
      clientSecret: '',
      callbackURL: request.redirectUri,
      ...(useScopeOption && scopes.length > 0 ? { scope: scopes, scopeSeparator: config.scopeSeparator } : {}),
      ...(config.pkce ? { pkce: true } : {}),
      state: true,
      store: store as never,
    },
    extra,
  );
  const binding: StateBinding = { ...request.binding, redirectUri: request.redirectUri, requestedScopes: scopes };
  return new Promise<string>((resolve, reject) => {
    const actions = strategy as unknown as Record<string, unknown>;
    actions.redirect = (url: string) => resolve(url);
    actions.error = (error: Error) => reject(error);
    actions.fail = () => reject(new Error('authorization request could not be built'));
    actions.success = () => reject(new Error('unexpected success on the authorization leg'));
    strategy.authenticate(req as never, { state: binding });
  });
}
