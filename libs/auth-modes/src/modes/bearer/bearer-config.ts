import type { VerificationRequest } from '../../verification/verification';
import type { RequiredAttribute } from '../oauth2/oauth2-config';

/**
 * A bearer token the end user pastes in, sent as `Authorization: Bearer <token>`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export interface BearerConfig {
  readonly mode: 'BEARER';
  /** What the connect form calls the token. */
  readonly label?: string;
  /** Where the proxy sends a connection's API calls, e.g. `https://api.example.com/v2`; same placeholders as the other URLs. */
  readonly apiBaseUrl?: string;
  /** A request on the API that checks a typed credential before the connection is made (see VerificationRequest). */
  readonly verification?: VerificationRequest;
  /** Values given per connection (a subdomain, a region), usable in `apiBaseUrl` as `{attr.<key>}`. */
  readonly requiredAttributes?: readonly RequiredAttribute[];
}

export type BearerConfigInput = BearerConfig;
