import type { AuthConfig } from './auth-config';
import type { ApiKeyConfig } from './modes/api-key/api-key-config';
import type { BasicConfig } from './modes/basic/basic-config';
import type { BearerConfig } from './modes/bearer/bearer-config';
import type { CustomField, CustomFieldType, CustomInputConfig } from './modes/custom/custom-input-config';
import type { OAuth2Config } from './modes/oauth2/oauth2-config';

/** Stands in for a write-only secret in API responses: whether one is stored, never what it is. */
export interface SecretMarker {
  readonly isSet: boolean;
}

export type RedactedOAuth2Config = Omit<OAuth2Config, 'clientSecret'> & { readonly clientSecret: SecretMarker };

export type RedactedCustomField =
  | (Omit<CustomField, 'type' | 'default'> & { readonly type: 'password'; readonly default: SecretMarker })
  | (Omit<CustomField, 'type'> & { readonly type: Exclude<CustomFieldType, 'password'> });

export type RedactedCustomInputConfig = Omit<CustomInputConfig, 'fields'> & {
  readonly fields: readonly RedactedCustomField[];
};

/** An {@link AuthConfig} safe to return from an API: every secret replaced by a {@link SecretMarker}. */
export type RedactedAuthConfig =
  | RedactedOAuth2Config
  | BasicConfig
  | ApiKeyConfig
  | BearerConfig
  | RedactedCustomInputConfig;

/** Secret values keyed by secret path. */
export type SecretValues = Readonly<Record<string, string>>;

const CLIENT_SECRET_PATH = 'clientSecret';

/**
 * The path of a password field's default. Fields are named by key, not position, so a stored
 * secret stays with its field when fields are reordered.
 */
export function fieldDefaultSecretPath(fieldKey: string): string {
  return `fields.${fieldKey}.default`;
}

/** The paths of the write-only secrets this configuration holds: `clientSecret`, `fields.<key>.default`. */
export function secretPaths(config: AuthConfig): string[] {
  return Object.keys(splitSecrets(config).secrets);
}

/**
 * Takes the write-only secrets out of a configuration, so that the public part can be stored in
 * plain columns and the secrets encrypted.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.1.4.1
 */
export function splitSecrets(config: AuthConfig): { publicConfig: AuthConfig; secrets: Record<string, string> } {
  switch (config.mode) {
    case 'OAUTH2': {
      const { clientSecret, ...publicConfig } = config;
      return { publicConfig, secrets: clientSecret === undefined ? {} : { [CLIENT_SECRET_PATH]: clientSecret } };
    }
    case 'CUSTOM': {
      const secrets: Record<string, string> = {};
      const fields = config.fields.map((field) => {
        if (field.type !== 'password' || field.default === undefined) return field;
        const { default: secret, ...rest } = field;
        secrets[fieldDefaultSecretPath(field.key)] = String(secret);
        return rest;
      });
      return { publicConfig: { ...config, fields }, secrets };
    }
    case 'BASIC':
    case 'API_KEY':
    case 'BEARER':
      return { publicConfig: config, secrets: {} };
  }
}

/**
 * Puts secrets back into a public configuration. A secret already present in `publicConfig` wins,
 * so an update that sends a new client secret replaces the stored one while an update that omits
 * it keeps it. Secrets without a slot (e.g. for a removed or retyped field) are dropped.
 */
export function mergeSecrets(publicConfig: AuthConfig, secrets: SecretValues): AuthConfig {
  switch (publicConfig.mode) {
    case 'OAUTH2': {
      const clientSecret = publicConfig.clientSecret ?? secrets[CLIENT_SECRET_PATH];
      return clientSecret === undefined ? publicConfig : { ...publicConfig, clientSecret };
    }
    case 'CUSTOM': {
      const fields = publicConfig.fields.map((field) => {
        const stored = secrets[fieldDefaultSecretPath(field.key)];
        if (field.type !== 'password' || field.default !== undefined || stored === undefined) return field;
        return { ...field, default: stored };
      });
      return { ...publicConfig, fields };
    }
    case 'BASIC':
    case 'API_KEY':
    case 'BEARER':
      return publicConfig;
  }
}

/**
 * The configuration as an API may show it: each secret slot becomes `{ isSet }`. A slot counts as
 * set when the config holds its value or its path is among `storedSecretPaths`, so a service can
 * redact a public configuration without decrypting its secrets.
 */
export function redactedView(config: AuthConfig, storedSecretPaths: Iterable<string> = []): RedactedAuthConfig {
  const stored = new Set(storedSecretPaths);
  switch (config.mode) {
    case 'OAUTH2': {
      const { clientSecret, ...rest } = config;
      return { ...rest, clientSecret: { isSet: clientSecret !== undefined || stored.has(CLIENT_SECRET_PATH) } };
    }
    case 'CUSTOM':
      return { ...config, fields: config.fields.map((field) => redactField(field, stored)) };
    case 'BASIC':
    case 'API_KEY':
    case 'BEARER':
      return config;
  }
}

function redactField(field: CustomField, stored: ReadonlySet<string>): RedactedCustomField {
  if (field.type !== 'password') return { ...field, type: field.type };
  const { default: secret, ...rest } = field;
  const isSet = secret !== undefined || stored.has(fieldDefaultSecretPath(field.key));
  return { ...rest, type: 'password', default: { isSet } };
}
