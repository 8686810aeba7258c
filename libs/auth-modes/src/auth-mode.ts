/** The ways a connector can authenticate against a third-party API. */
export const AUTH_MODES = ['OAUTH2', 'BASIC', 'API_KEY', 'BEARER', 'CUSTOM'] as const;

export type AuthMode = (typeof AUTH_MODES)[number];

/** Narrows untrusted input, e.g. a query parameter, to an {@link AuthMode}. */
export function isAuthMode(value: unknown): value is AuthMode {
  return typeof value === 'string' && (AUTH_MODES as readonly string[]).includes(value);
}
