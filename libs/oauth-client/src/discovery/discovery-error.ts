/** Why a discovery found no usable authorization server; `message` names the URL, never a query. */
export type DiscoveryProblem =
  | 'invalid_url'
  | 'refused_destination'
  | 'unreachable'
  | 'document_too_large'
  | 'not_found'
  | 'invalid_metadata'
  | 'issuer_mismatch'
  | 'resource_mismatch'
  | 'pkce_unsupported'
  | 'insecure_endpoint'
  | 'registration_failed';

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';

  constructor(
    readonly problem: DiscoveryProblem,
    message: string,
  ) {
    super(message);
  }
}
