/** The secret material of a connection, as sealed in the vault. Never logged, never in an event. */
export type StoredCredential =
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
    }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; apiKey: string }
  | { type: 'bearer'; token: string }
  | { type: 'custom'; fields: Record<string, string | number> };
