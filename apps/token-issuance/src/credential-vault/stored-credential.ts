/**
 * Where an OAuth credential came from: the origins of the connector's token and revocation
 * endpoints when it was issued. Its refresh token is only ever sent back there, whatever the
 * connector says later. Credentials stored before this existed take the first origin they are
 * refreshed at.
 */
export interface CredentialOrigins {
  token: string;
  revocation: string | null;
}

/**
 * The secret material of a connection, as sealed in the vault. Never logged, never in an event.
 * `apiOrigin`: the origin of the connector's API when it was issued, the only one the proxy sends
 * it to (see boundToApiOrigin); sealed with it, like the OAuth origins.
 */
export type StoredCredential = { apiOrigin?: string } & (
  | {
      type: 'oauth2';
      accessToken: string;
      tokenType: string;
      refreshToken?: string;
      idToken?: string;
      scopes: string[];
      /** ISO time, or null when the provider gave no expiry. */
      expiresAt: string | null;
      /** Kept token response values such as `instance_url`. */
      metadata: Record<string, unknown>;
      /** Sealed with the tokens, so that nobody can move them by editing a row. */
      origins?: CredentialOrigins;
    }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; apiKey: string }
  | { type: 'bearer'; token: string }
  | { type: 'custom'; fields: Record<string, string | number> }
);
