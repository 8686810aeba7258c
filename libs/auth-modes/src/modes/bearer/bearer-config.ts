import type { VerificationRequest } from '../../verification/verification';

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
}

export type BearerConfigInput = BearerConfig;
