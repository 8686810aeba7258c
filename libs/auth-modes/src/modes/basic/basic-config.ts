import type { VerificationRequest } from '../../verification/verification';
import type { RequiredAttribute } from '../oauth2/oauth2-config';

/**
 * HTTP Basic authentication: the end user enters a username and a password.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7617
 */
export interface BasicConfig {
  readonly mode: 'BASIC';
  readonly usernameLabel: string;
  readonly passwordLabel: string;
  /** Where the proxy sends a connection's API calls, e.g. `https://api.example.com/v2`; same placeholders as the other URLs. */
  readonly apiBaseUrl?: string;
  /** A request on the API that checks a typed credential before the connection is made (see VerificationRequest). */
  readonly verification?: VerificationRequest;
  /** Values given per connection (a subdomain, a region), usable in `apiBaseUrl` as `{attr.<key>}`. */
  readonly requiredAttributes?: readonly RequiredAttribute[];
}

export type BasicConfigInput = Pick<BasicConfig, 'mode'> & Partial<Omit<BasicConfig, 'mode'>>;

export function withBasicDefaults(input: BasicConfigInput): BasicConfig {
  return { ...input, usernameLabel: input.usernameLabel ?? 'Username', passwordLabel: input.passwordLabel ?? 'Password' };
}
