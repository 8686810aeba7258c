import { TOKEN_ERROR_CODES } from '@cb/oauth-client';
import { OAUTH_ERROR_CODES } from '@cb/platform';
import { PROVIDER_GUARD_CODES } from './token-endpoint/provider-guard';
import { VERIFICATION_FAILURE_CODES } from './verify-credential/credential-verifier';

/**
 * The failure codes a metric's `reason` label keeps as they are: the RFC's, the OAuth client's and
 * the guard's, and this service's own. Any other (a provider's own code) is counted as `other`, so a
 * provider cannot grow a label without bound; the connection's view and the logs keep the code itself.
 */
export const FAILURE_REASONS: ReadonlySet<string> = new Set([
  ...OAUTH_ERROR_CODES,
  ...Object.values(TOKEN_ERROR_CODES),
  ...Object.values(PROVIDER_GUARD_CODES),
  'connector_misconfigured',
  'redemption_interrupted',
  'connector_version_unavailable',
  'wrong_mode',
  'credential_expired',
  'unauthorized_reported',
  'token_endpoint_moved',
  'refresh_interrupted',
  'refresh_not_supported',
  'no_refresh_token',
  ...VERIFICATION_FAILURE_CODES,
]);
