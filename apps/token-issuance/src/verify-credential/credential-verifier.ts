import { Inject, Injectable, Logger } from '@nestjs/common';
import { request as sendRequest } from 'undici';
import { renderApiBaseUrl, UrlTemplateError, type AuthConfig } from '@cb/auth-modes';
import { DestinationRefusedError, outboundAgent } from '@cb/oauth-client';
import type { StoredCredential } from '../credential-vault/stored-credential';
import { applyCredential } from '../proxy/apply-credential';
import { TOKEN_ISSUANCE_CONFIG, type TokenIssuanceConfig } from '../token-issuance.config';

/** What the provider's API said of a typed credential. */
export type Verification = { ok: true } | VerificationFailure;

export interface VerificationFailure {
  ok: false;
  /** `credential_rejected` (a 401 or 403), `verification_unexpected_status`, `verification_timeout`, `verification_unreachable` (a refused address included), `verification_unavailable`. */
  code: VerificationFailureCode;
  /** A fixed sentence the end user can read; never the provider's body. */
  reason: string;
  /** The status the provider answered, when it answered. */
  providerStatus?: number;
}

export const VERIFICATION_FAILURE_CODES = [
  'credential_rejected',
  'verification_unexpected_status',
  'verification_timeout',
  'verification_unreachable',
  'verification_unavailable',
] as const;
export type VerificationFailureCode = (typeof VERIFICATION_FAILURE_CODES)[number];

/** Where the connection being made is, for the connector's `apiBaseUrl` placeholders. */
export interface VerificationTarget {
  tenant?: string | undefined;
  attributes?: Record<string, string> | undefined;
}

const USER_AGENT = 'credential-broker-verification';

/**
 * Sends a connector's verification request with a typed credential (or, when the connector says
 * `afterOAuthExchange`, a new OAuth2 access token) before the connection is made:
 * the base URL filled in as the proxy fills it, the credential applied by `applyCredential` (the
 * proxy's own), through the outbound policy's agent, no redirects followed, within
 * `VERIFICATION_TIMEOUT_MS`. The answer's body is never read: a provider may echo the credential.
 */
@Injectable()
export class CredentialVerifier {
  private readonly logger = new Logger(CredentialVerifier.name);

  constructor(@Inject(TOKEN_ISSUANCE_CONFIG) private readonly config: TokenIssuanceConfig) {}

  async verify(config: AuthConfig, credential: StoredCredential, target: VerificationTarget): Promise<Verification> {
    const check = config.verification;
    if (check === undefined || (config.mode === 'OAUTH2' && check.afterOAuthExchange !== true)) return { ok: true };
    const placement = applyCredential(credential, config);
    if (config.apiBaseUrl === undefined || placement === undefined) return unavailable();
    // The base URL as the proxy fills it for the connection: the connector's tenant by default, an OAuth2 token response's kept values.
    const tenant = target.tenant ?? (config.mode === 'OAUTH2' ? config.tenantId : undefined);
    let baseUrl: string;
    try {
      baseUrl = renderApiBaseUrl(
        config.apiBaseUrl,
        { ...(tenant === undefined ? {} : { tenant }), attributes: target.attributes ?? {}, ...(credential.type === 'oauth2' ? { metadata: credential.metadata } : {}) },
        this.config.outbound.admitInternalAddresses,
      );
    } catch (error) {
      if (error instanceof UrlTemplateError) return unavailable();
      throw error;
    }
    const extra = placement.query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
    const url = `${baseUrl}${check.path}${extra === '' ? '' : `${check.path.includes('?') ? '&' : '?'}${extra}`}`;
    const timeoutMs = this.config.verificationTimeoutMs;
    try {
      const answer = await sendRequest(url, {
        method: check.method,
        headers: { 'user-agent': USER_AGENT, accept: '*/*', ...(check.method === 'POST' ? { 'content-length': '0' } : {}), ...placement.headers },
        dispatcher: outboundAgent(this.config.outbound),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await answer.body.dump({ limit: 0 }).catch(() => undefined);
      if (answer.statusCode === check.expectedStatus) return { ok: true };
      return rejected(answer.statusCode, check.expectedStatus);
    } catch (error) {
      const failure = networkFailure(error);
      // A refused address and a closed port look the same to the end user (no mapping of the internal network); the log tells them apart.
      this.logger.warn({ errorCode: failure.code, refusedDestination: isRefusedDestination(error), errorName: (error as Error).name }, 'a credential verification request failed');
      return failure;
    }
  }
}

function rejected(status: number, expected: number): VerificationFailure {
  if (status === 401 || status === 403) {
    return { ok: false, code: 'credential_rejected', reason: `The provider rejected the credential (${status}).`, providerStatus: status };
  }
  return { ok: false, code: 'verification_unexpected_status', reason: `The provider answered the credential check with ${status} instead of ${expected}.`, providerStatus: status };
}

function unavailable(): VerificationFailure {
  return { ok: false, code: 'verification_unavailable', reason: "The credential could not be checked: the connector's API address or credential placement cannot be filled in." };
}

function networkFailure(error: unknown): VerificationFailure {
  const code = (error as { code?: string }).code;
  const name = (error as { name?: string }).name;
  if (!isRefusedDestination(error) && (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')) {
    return { ok: false, code: 'verification_timeout', reason: 'The provider did not answer the credential check in time.' };
  }
  return { ok: false, code: 'verification_unreachable', reason: 'The provider could not be reached to check the credential.' };
}

function isRefusedDestination(error: unknown): boolean {
  return error instanceof DestinationRefusedError || (error as { cause?: unknown }).cause instanceof DestinationRefusedError;
}
