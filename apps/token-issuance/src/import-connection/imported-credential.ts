import { credentialExpiry, validateCredentialInput, type OAuth2Config } from '@cb/auth-modes';
import { type FieldProblem, validationFailed } from '@cb/platform';
import type { LoadedConnector } from '../connectors/connector-store';
import { storedCredential } from '../capture-credentials/capture-credentials.service';
import type { ConnectedCredential } from '../exchange-code/connect-outcome';
import type { CredentialOrigins } from '../credential-vault/stored-credential';
import { issuedOAuthCredential } from '../token-endpoint/token-endpoint';

const MAX_TOKEN_LENGTH = 8192;
const OAUTH_MEMBERS = new Set(['accessToken', 'refreshToken', 'expiresAt', 'expiresIn', 'scopes', 'tokenType']);

/**
 * The imported credential as the vault keeps it, by the connector's mode. OAuth2: `accessToken`,
 * optional `refreshToken`, `expiresAt` (ISO) or `expiresIn` (seconds), `scopes`, `tokenType`. The
 * others: the connect dialog's form (`{ username, password }`, `{ apiKey }`, `{ token }`,
 * `{ values }`). Problems name the path, never the value.
 */
export function parseImportedCredential(
  connector: LoadedConnector,
  input: Record<string, unknown>,
  origins: CredentialOrigins | null,
  now: Date,
): Omit<ConnectedCredential, 'connectorVersion'> {
  const config = connector.config;
  if (config.mode === 'OAUTH2') return oauth(config, input, origins, now);
  const result = validateCredentialInput(config, input);
  if (!result.ok) throw validationFailed(result.errors.map((error) => ({ path: error.path ? `credential.${error.path}` : 'credential', message: error.message })));
  const expiresAt = credentialExpiry(config, result.value, now);
  return { mode: result.value.mode, credential: storedCredential(result.value, connector), expiresAt: expiresAt?.toISOString() ?? null, refreshable: false, refreshMarginSeconds: 0 };
}

function oauth(config: OAuth2Config, input: Record<string, unknown>, origins: CredentialOrigins | null, now: Date): Omit<ConnectedCredential, 'connectorVersion'> {
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(input)) if (!OAUTH_MEMBERS.has(key)) problems.push({ path: `credential.${key}`, message: `${key} is not a member of an OAuth2 credential` });
  const token = (key: string, required: boolean): string | undefined => {
    const value = input[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH) problems.push({ path: `credential.${key}`, message: `${key} must be a string of 1 to ${MAX_TOKEN_LENGTH} characters` });
    return typeof value === 'string' ? value : undefined;
  };
  const accessToken = token('accessToken', true);
  const refreshToken = token('refreshToken', false);
  const tokenType = token('tokenType', false) ?? 'Bearer';
  const scopes = input.scopes ?? config.scopes;
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || scope.length === 0 || scope.length > 256)) {
    problems.push({ path: 'credential.scopes', message: 'scopes must be a list of scope names' });
  }
  const expiresAt = expiryOf(input, now, problems);
  if (problems.length > 0) throw validationFailed(problems);
  const credential = {
    type: 'oauth2' as const,
    accessToken: accessToken as string,
    tokenType,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    scopes: [...(scopes as string[])],
    expiresAt,
    metadata: {},
    ...(origins ? { origins } : {}),
  };
  return issuedOAuthCredential(config, credential);
}

function expiryOf(input: Record<string, unknown>, now: Date, problems: FieldProblem[]): string | null {
  const { expiresAt, expiresIn } = input;
  if (expiresAt !== undefined && expiresIn !== undefined) {
    problems.push({ path: 'credential.expiresIn', message: 'give expiresAt or expiresIn, not both' });
    return null;
  }
  if (expiresIn !== undefined) {
    if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn <= 0) problems.push({ path: 'credential.expiresIn', message: 'expiresIn must be a positive number of seconds' });
    else return new Date(now.getTime() + expiresIn * 1000).toISOString();
  }
  if (expiresAt !== undefined) {
    if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) problems.push({ path: 'credential.expiresAt', message: 'expiresAt must be an ISO 8601 date-time' });
    else return new Date(expiresAt).toISOString();
  }
  return null;
}
