import type { VerificationRequest } from '../../verification/verification';
import type { RequiredAttribute } from '../oauth2/oauth2-config';

export const API_KEY_PLACEMENTS = ['header', 'query'] as const;
export type ApiKeyPlacement = (typeof API_KEY_PLACEMENTS)[number];

export const DEFAULT_API_KEY_HEADER = 'X-API-Key';
export const DEFAULT_API_KEY_QUERY_PARAM = 'api_key';

/**
 * An API key the end user pastes in, sent in a header (`<headerName>: [<prefix> ]<key>`) or in a
 * query parameter. A header key is preferable: query strings end up in logs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.2
 */
export type ApiKeyConfig = {
  readonly mode: 'API_KEY';
  /** What the connect form calls the key. */
  readonly label?: string;
  /** Where the proxy sends a connection's API calls, e.g. `https://api.example.com/v2`; same placeholders as the other URLs. */
  readonly apiBaseUrl?: string;
  /** A request on the API that checks a typed credential before the connection is made (see VerificationRequest). */
  readonly verification?: VerificationRequest;
  /** Values given per connection (a subdomain, a region), usable in `apiBaseUrl` as `{attr.<key>}`. */
  readonly requiredAttributes?: readonly RequiredAttribute[];
} & (
  | {
      readonly placement: 'header';
      readonly headerName: string;
      /** Put before the key with one space, e.g. `Bearer` or `Token`. */
      readonly prefix?: string;
    }
  | { readonly placement: 'query'; readonly queryParam: string }
);

export interface ApiKeyConfigInput {
  readonly mode: 'API_KEY';
  readonly label?: string;
  readonly placement?: ApiKeyPlacement;
  readonly headerName?: string;
  readonly prefix?: string;
  readonly queryParam?: string;
  readonly apiBaseUrl?: string;
  readonly verification?: VerificationRequest;
  /** Values given per connection (a subdomain, a region), usable in `apiBaseUrl` as `{attr.<key>}`. */
  readonly requiredAttributes?: readonly RequiredAttribute[];
}

/** Assumes a validated input, in which header and query members are never mixed. */
export function withApiKeyDefaults(input: ApiKeyConfigInput): ApiKeyConfig {
  const label = {
    ...(input.label === undefined ? {} : { label: input.label }),
    ...(input.apiBaseUrl === undefined ? {} : { apiBaseUrl: input.apiBaseUrl }),
    ...(input.verification === undefined ? {} : { verification: input.verification }),
    ...(input.requiredAttributes === undefined ? {} : { requiredAttributes: input.requiredAttributes }),
  };
  if (input.placement === 'query') {
    return { mode: 'API_KEY', ...label, placement: 'query', queryParam: input.queryParam ?? DEFAULT_API_KEY_QUERY_PARAM };
  }
  const prefix = input.prefix === undefined ? {} : { prefix: input.prefix };
  return { mode: 'API_KEY', ...label, placement: 'header', headerName: input.headerName ?? DEFAULT_API_KEY_HEADER, ...prefix };
}
