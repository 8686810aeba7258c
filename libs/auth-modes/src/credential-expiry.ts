import type { AuthConfig } from './auth-config';
import type { CredentialInput } from './credential-input';

/**
 * When credentials entered for a Custom Input connector stop working, from the connector's
 * `expiry`: a fixed lifetime, or the seconds held by a number field. `null` when nothing says so
 * (and for every other mode: Basic, API key and bearer credentials carry no expiry).
 */
export function credentialExpiry(config: AuthConfig, input: CredentialInput, now: Date): Date | null {
  if (config.mode !== 'CUSTOM' || input.mode !== 'CUSTOM' || config.expiry === undefined) return null;
  const seconds = 'lifetimeSeconds' in config.expiry ? config.expiry.lifetimeSeconds : input.values[config.expiry.fromField];
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(now.getTime() + seconds * 1000);
}
