import { fetch as undiciFetch } from 'undici';
import { readAtMost } from '../bounded-body';
import { outboundAgent } from '../outbound/guarded-agent';
import type { OutboundPolicy } from '../outbound/outbound-policy';
import { DiscoveryError } from './discovery-error';
import { describe, MAX_DOCUMENT_BYTES } from './fetch-document';

/** The client metadata the broker registers (RFC 7591 §2). */
export interface ClientMetadata {
  readonly redirectUris: readonly string[];
  readonly clientName: string;
  readonly tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  readonly scope?: string;
}

/**
 * What the server issued (RFC 7591 §3.2.1, RFC 7592 §3). `clientSecret` and
 * `registrationAccessToken` are secrets: seal them, never log them.
 */
export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** When the secret expires; `undefined` when it does not (0 in the answer). */
  readonly clientSecretExpiresAt?: Date;
  readonly registrationAccessToken?: string;
  readonly registrationClientUri?: string;
}

export interface RegisterOptions {
  readonly outbound: OutboundPolicy;
  readonly timeoutMs: number;
}

/** RFC 7591 dynamic client registration: one POST of the metadata, no redirect followed. */
export async function registerClient(endpoint: string, metadata: ClientMetadata, options: RegisterOptions): Promise<RegisteredClient> {
  const body = {
    redirect_uris: metadata.redirectUris,
    client_name: metadata.clientName,
    token_endpoint_auth_method: metadata.tokenEndpointAuthMethod,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...(metadata.scope === undefined ? {} : { scope: metadata.scope }),
  };
  const answer = await send(endpoint, 'POST', { 'content-type': 'application/json' }, JSON.stringify(body), options, 'registration');
  return registeredClient(endpoint, answer, 'registration');
}

/** Members a client update must not send back (RFC 7592 §2.2); the secret is left out so that the server may issue a new one. */
const NOT_SENT_ON_UPDATE = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at', 'client_secret'];

/**
 * RFC 7592 §2.1-2.2: reads the client's registration and sends it back unchanged but for the
 * secret, which is how a server that rotates registered secrets is asked for a new one. The answer
 * is the client as the server keeps it now: compare its `clientSecretExpiresAt` with the old one
 * to see whether the secret was renewed.
 */
export async function updateClientRegistration(registrationClientUri: string, registrationAccessToken: string, options: RegisterOptions): Promise<RegisteredClient> {
  const authorization = { authorization: `Bearer ${registrationAccessToken}` };
  const current = registeredMetadata(registrationClientUri, await send(registrationClientUri, 'GET', authorization, undefined, options, 'read'), 'read');
  const body = Object.fromEntries(Object.entries(current).filter(([name]) => !NOT_SENT_ON_UPDATE.includes(name)));
  const answer = await send(registrationClientUri, 'PUT', { ...authorization, 'content-type': 'application/json' }, JSON.stringify(body), options, 'update');
  return registeredClient(registrationClientUri, answer, 'update');
}

type RegistrationStep = 'registration' | 'read' | 'update';

interface Answer {
  readonly status: number;
  readonly text: string | undefined;
}

async function send(url: string, method: string, headers: Record<string, string>, body: string | undefined, options: RegisterOptions, step: RegistrationStep): Promise<Answer> {
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const response = await undiciFetch(url, {
      method,
      headers: { ...headers, accept: 'application/json' },
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
      signal: abort.signal,
      dispatcher: outboundAgent(options.outbound),
    });
    return { status: response.status, text: await readAtMost(response, MAX_DOCUMENT_BYTES) };
  } catch {
    throw new DiscoveryError('unreachable', `the ${stepName(step)} at ${describe(url)} could not be reached`);
  } finally {
    clearTimeout(deadline);
    abort.abort();
  }
}

function stepName(step: RegistrationStep): string {
  return step === 'registration' ? 'registration endpoint' : `client configuration endpoint (${step})`;
}

/** The client's metadata from a successful answer; the server's own words about a refusal (no secret is in what the broker sent). */
function registeredMetadata(url: string, { status, text }: Answer, step: RegistrationStep): Record<string, unknown> & { client_id: string } {
  const answer = parseObject(text);
  // a server error may pass: worth trying again, unlike a refusal
  if (status >= 500) throw new DiscoveryError('unreachable', `the ${stepName(step)} at ${describe(url)} answered HTTP ${status}`);
  if (status !== 201 && status !== 200) {
    const code = typeof answer?.error === 'string' ? answer.error.slice(0, 100) : `HTTP ${status}`;
    const why = typeof answer?.error_description === 'string' ? ` (${answer.error_description.slice(0, 300)})` : '';
    throw new DiscoveryError('registration_failed', `the ${stepName(step)} at ${describe(url)} refused the ${step}: ${code}${why}`);
  }
  if (typeof answer?.client_id !== 'string' || answer.client_id === '') throw new DiscoveryError('registration_failed', `the ${stepName(step)} at ${describe(url)} answered no client_id`);
  return answer as Record<string, unknown> & { client_id: string };
}

function registeredClient(url: string, reply: Answer, step: RegistrationStep): RegisteredClient {
  const answer = registeredMetadata(url, reply, step);
  const expiresAt = typeof answer.client_secret_expires_at === 'number' && answer.client_secret_expires_at > 0 ? new Date(answer.client_secret_expires_at * 1000) : undefined;
  const member = (name: string): string | undefined => (typeof answer[name] === 'string' && answer[name] !== '' ? answer[name] : undefined);
  return {
    clientId: answer.client_id,
    ...optional('clientSecret', member('client_secret')),
    ...optional('clientSecretExpiresAt', expiresAt),
    ...optional('registrationAccessToken', member('registration_access_token')),
    ...optional('registrationClientUri', member('registration_client_uri')),
  };
}

function optional<K extends string, T>(name: K, value: T | undefined): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, T>);
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7592 §2.3: the registration deleted with its access token; true when the server says it is gone (204, or 401/404 for one it no longer knows). */
export async function deleteClientRegistration(registrationClientUri: string, registrationAccessToken: string, options: RegisterOptions): Promise<boolean> {
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const response = await undiciFetch(registrationClientUri, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${registrationAccessToken}` },
      redirect: 'manual',
      signal: abort.signal,
      dispatcher: outboundAgent(options.outbound),
    });
    await response.body?.cancel().catch(() => undefined);
    return response.status === 204 || response.status === 401 || response.status === 404;
  } catch {
    return false;
  } finally {
    clearTimeout(deadline);
    abort.abort();
  }
}

/** Where the gateway serves a workspace's Client ID Metadata Document; that URL is the client id. */
export function clientMetadataDocumentUrl(publicBaseUrl: string, workspaceId: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/oauth/client-metadata/${workspaceId}`;
}
