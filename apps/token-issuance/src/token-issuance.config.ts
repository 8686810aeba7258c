import { ConfigReader, fromEnv, ServiceConfig, internalApiTokenReader } from '@cb/platform';

export interface TokenIssuanceSettings {
  internalApiToken: string;
  /** How long a token endpoint may take before the attempt counts as ambiguous. */
  tokenRequestTimeoutMs: number;
}

export type TokenIssuanceConfig = ServiceConfig & TokenIssuanceSettings;

export const TOKEN_ISSUANCE_CONFIG = Symbol('TOKEN_ISSUANCE_CONFIG');

export const tokenIssuanceReaders: { [K in keyof TokenIssuanceSettings]: ConfigReader<TokenIssuanceSettings[K]> } = {
  internalApiToken: internalApiTokenReader,
  tokenRequestTimeoutMs: fromEnv.integer('TOKEN_REQUEST_TIMEOUT_MS', 10000, { min: 100, max: 120000 }),
};
