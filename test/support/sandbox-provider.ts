/**
 * Test helpers for the sandbox OAuth provider (apps/sandbox-provider).
 *
 * The provider is a real oidc-provider 8 server. It is ESM-only, so it is never imported here:
 * startSandboxProvider() spawns it as a child process and talks to it over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../scripts/lib/ports';

export interface SandboxClientConfig {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
}

export interface SandboxUser {
  username: string;
  password: string;
  name?: string;
  email?: string;
}

export interface StartSandboxProviderOptions {
  clients: SandboxClientConfig[];
  accessTokenTtlSeconds?: number;
  /** Fixed port; a free port is picked when absent. */
  port?: number;
  refreshTokenTtlSeconds?: number;
  authorizationCodeTtlSeconds?: number;
  /** Users with their own password (every other username logs in with `password`). */
  users?: SandboxUser[];
  /** How long to wait for the provider to answer discovery. Default 60 s (it takes about 1 s; far longer only on a machine starved of I/O). */
  startupTimeoutMs?: number;
  /** Serve everything under this path, which becomes part of the issuer (a realm or tenant), e.g. `/realms/acme`. */
  basePath?: string;
  /** Token responses without `expires_in`, as Salesforce sends them; the tokens still expire. */
  omitExpiresIn?: boolean;
  /** Accepts a client_id that is a URL, as a Client ID Metadata Document, and says so in discovery. */
  clientIdMetadataDocuments?: boolean;
  /** Secrets of dynamically registered clients expire after this many seconds; an RFC 7592 update issues a new one. */
  registeredSecretTtlSeconds?: number;
  /** false: registered clients cannot be read, updated or deleted (RFC 7592). */
  registrationManagement?: boolean;
  /** Keep grants, tokens and keys in this PostgreSQL database (SANDBOX_DATABASE_URL) instead of memory. */
  databaseUrl?: string;
  /** Its schema (SANDBOX_DATABASE_SCHEMA, default sandbox_provider). */
  databaseSchema?: string;
}

export type SandboxTokenFault =
  | { mode: 'none' }
  | {
      mode: 'status';
      /** Default 503. */
      status?: number;
      /** Seconds, sent as the Retry-After header. */
      retryAfter?: number;
      /** OAuth error code in the JSON body (default depends on status, e.g. temporarily_unavailable). */
      error?: string;
      /** Number of token requests affected; all (until cleared) when absent. */
      count?: number;
    }
  | { mode: 'slow'; /** Default 2000. */ delayMs?: number; count?: number }
  | { mode: 'garbage'; /** Default text/html. */ contentType?: string; count?: number }
  | { mode: 'close'; count?: number };

export interface SandboxStats {
  tokenRequests: { total: number; byGrantType: Record<string, number>; /** Token requests that named a `resource` (RFC 8707). */ withResourceByGrantType: Record<string, number> };
  /** Arrival time (ms since epoch) of every token endpoint request, in order. */
  tokenRequestTimestamps: number[];
  /** Grants revoked because an already-rotated refresh token was presented again. */
  refreshTokenReuseDetections: number;
  /** Grants revoked because an already-redeemed authorization code was presented again. */
  authorizationCodeReuseDetections: number;
  faultsInjected: number;
  grantsRevokedByControl: number;
  /** New secrets issued by RFC 7592 updates of registered clients (with `registeredSecretTtlSeconds`). */
  registeredSecretsRotated: number;
}

export interface SandboxProviderUrls {
  authorization: string;
  token: string;
  userinfo: string;
  revocation: string;
  introspection: string;
}

export interface SandboxProvider {
  readonly issuer: string;
  readonly port: number;
  readonly urls: SandboxProviderUrls;
  /** Resource indicator of the sandbox API (client_credentials tokens default to it; scopes api:read api:write). */
  readonly apiResource: string;
  setTokenFault(fault: SandboxTokenFault): Promise<void>;
  /** Tokens for the sandbox API name this audience instead of the resource asked for; null restores it. */
  setResourceAudience(audience: string | null): Promise<void>;
  clearFaults(): Promise<void>;
  stats(): Promise<SandboxStats>;
  /** Revokes every grant (and all tokens) of a user, as if they revoked access at the provider. */
  revokeGrants(accountId: string): Promise<number>;
  /** How many grants of a user are alive: a revoked grant is gone, a rotated refresh token is not. */
  grants(accountId: string): Promise<number>;
  /** Clears stats and faults. */
  reset(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far, one entry per line. */
  logs(): string[];
  /** SIGTERM, then waits for the process to exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

const MAIN = path.resolve(__dirname, '../../apps/sandbox-provider/main.mjs');

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function captureLines(stream: NodeJS.ReadableStream | null, into: string[]): void {
  if (!stream) return;
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    into.push(...parts);
  });
  stream.on('end', () => {
    if (partial) into.push(partial);
    partial = '';
  });
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
}

function isDiscovery(value: unknown): value is Discovery {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'revocation_endpoint', 'introspection_endpoint']
    .every((key) => typeof record[key] === 'string');
}

class ProviderExitedError extends Error {}

/**
 * The child printed nothing at all for {@link SILENT_START_LIMIT_MS} while it normally prints its
 * ready line within a second or two: once in many runs a child has hung silently at start-up
 * (cause not found; its kernel state is in the message), so that start is abandoned for a new one.
 */
class ProviderSilentError extends Error {}

const SILENT_START_LIMIT_MS = 20_000;

/** What the kernel says a process is doing, for a start that hung: its state and the call it sleeps in. */
function processState(pid: number | undefined): string {
  if (pid === undefined) return 'no pid';
  try {
    const state = /^State:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
    const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8').trim() || '-';
    return `pid ${pid} state ${state}, waiting in ${wchan}`;
  } catch {
    return `pid ${pid} (no /proc entry)`;
  }
}

async function waitForDiscovery(issuer: string, child: ChildProcess, deadline: number, logs: string[]): Promise<Discovery> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let lastProblem = 'no attempt yet';
  const started = Date.now();
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ProviderExitedError(
        `sandbox provider exited during startup (code ${child.exitCode}, signal ${child.signalCode}):\n${logs.join('\n')}`,
      );
    }
    // the ready line proves that *this* child bound the port (not some other process)
    if (!logs.some((line) => line.startsWith('{"msg":"sandbox-provider ready"'))) {
      if (logs.length === 0 && Date.now() - started > SILENT_START_LIMIT_MS) {
        throw new ProviderSilentError(`sandbox provider printed nothing in ${Date.now() - started} ms: ${processState(child.pid)}`);
      }
      lastProblem = 'ready line not printed yet';
      await delay(25);
      continue;
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) {
        const body: unknown = await response.json();
        if (isDiscovery(body) && body.issuer === issuer) {
          const tookMs = Date.now() - started;
          if (tookMs > 10_000) process.stdout.write(`sandbox provider took ${tookMs} ms to start\n`);
          return body;
        }
        lastProblem = `unexpected discovery document from ${url}`;
      } else {
        lastProblem = `HTTP ${response.status} from ${url}`;
      }
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    await delay(50); // poll interval, bounded by the deadline
  }
  throw new Error(`sandbox provider not ready within ${Date.now() - started} ms (${lastProblem}):\n${logs.join('\n')}`);
}

async function controlRequest(issuer: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${issuer}/_sandbox/${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`sandbox control ${method} /_sandbox/${route} failed: HTTP ${response.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function spawnOnce(options: StartSandboxProviderOptions, port: number, logs: string[]): Promise<SandboxProvider> {
  const issuer = `http://127.0.0.1:${port}${options.basePath ?? ''}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SANDBOX_')) delete env[key];
  Object.assign(env, {
    SANDBOX_PORT: String(port),
    SANDBOX_HOST: '127.0.0.1',
    SANDBOX_ISSUER: `http://127.0.0.1:${port}`,
    SANDBOX_CLIENTS: JSON.stringify(options.clients),
    SANDBOX_CONTROL: '1',
  });
  if (options.accessTokenTtlSeconds !== undefined) env.SANDBOX_ACCESS_TOKEN_TTL = String(options.accessTokenTtlSeconds);
  if (options.refreshTokenTtlSeconds !== undefined) env.SANDBOX_REFRESH_TOKEN_TTL = String(options.refreshTokenTtlSeconds);
  if (options.authorizationCodeTtlSeconds !== undefined) env.SANDBOX_CODE_TTL = String(options.authorizationCodeTtlSeconds);
  if (options.users !== undefined) env.SANDBOX_USERS = JSON.stringify(options.users);
  if (options.basePath !== undefined) env.SANDBOX_BASE_PATH = options.basePath;
  if (options.omitExpiresIn) env.SANDBOX_OMIT_EXPIRES_IN = '1';
  if (options.clientIdMetadataDocuments) env.SANDBOX_CLIENT_ID_METADATA_DOCUMENTS = '1';
  if (options.registrationManagement === false) env.SANDBOX_REGISTRATION_MANAGEMENT = '0';
  if (options.registeredSecretTtlSeconds !== undefined) env.SANDBOX_REGISTERED_SECRET_TTL = String(options.registeredSecretTtlSeconds);
  if (options.databaseUrl !== undefined) env.SANDBOX_DATABASE_URL = options.databaseUrl;
  if (options.databaseSchema !== undefined) env.SANDBOX_DATABASE_SCHEMA = options.databaseSchema;

  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  captureLines(child.stdout, logs);
  captureLines(child.stderr, logs);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);

  // if the test process dies without calling stop(), do not leave the provider running
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let discovery: Discovery;
  try {
    discovery = await Promise.race([
      waitForDiscovery(issuer, child, Date.now() + (options.startupTimeoutMs ?? 60_000), logs),
      spawnError,
    ]);
  } catch (err) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    await waitForExit(child, 5000);
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    issuer,
    port,
    apiResource: `${issuer}/api`,
    urls: {
      authorization: discovery.authorization_endpoint,
      token: discovery.token_endpoint,
      userinfo: discovery.userinfo_endpoint,
      revocation: discovery.revocation_endpoint,
      introspection: discovery.introspection_endpoint,
    },
    async setTokenFault(fault) {
      await controlRequest(issuer, 'POST', 'faults', { tokenEndpoint: fault });
    },
    async setResourceAudience(audience) {
      await controlRequest(issuer, 'POST', 'faults', { resourceAudience: audience });
    },
    async clearFaults() {
      await controlRequest(issuer, 'DELETE', 'faults');
    },
    async stats() {
      return (await controlRequest(issuer, 'GET', 'stats')) as SandboxStats;
    },
    async revokeGrants(accountId) {
      const result = (await controlRequest(issuer, 'POST', 'revoke-grants', { accountId })) as { revokedGrants: number };
      return result.revokedGrants;
    },
    async grants(accountId) {
      const result = (await controlRequest(issuer, 'GET', `grants?accountId=${encodeURIComponent(accountId)}`)) as { grants: number };
      return result.grants;
    },
    async reset() {
      await controlRequest(issuer, 'POST', 'reset');
    },
    logs() {
      return [...logs];
    },
    stop() {
      stopped ??= (async () => {
        process.off('exit', killOnExit);
        child.kill('SIGTERM');
        if (!(await waitForExit(child, 5000))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5000);
        }
      })();
      return stopped;
    },
  };
}

/**
 * Starts the sandbox provider in a child process and resolves once its discovery document is served.
 */
export async function startSandboxProvider(options: StartSandboxProviderOptions): Promise<SandboxProvider> {
  const logs: string[] = [];
  if (options.port !== undefined) return spawnOnce(options, options.port, logs);
  // A picked port can be taken by someone else before the child binds it, and a child can hang
  // silently at start-up: start another in either case.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await spawnOnce(options, await freePort(), logs);
    } catch (err) {
      const portTaken = err instanceof ProviderExitedError && /EADDRINUSE/.test(err.message);
      const silent = err instanceof ProviderSilentError;
      if ((!portTaken && !silent) || attempt >= 3) throw err;
      if (silent) process.stdout.write(`${err.message}; starting another\n`);
      logs.length = 0;
    }
  }
}

/** PKCE pair with the S256 method (RFC 7636). */
export function createPkcePair(): { verifier: string; challenge: string; method: 'S256' } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge, method: 'S256' };
}

/**
 * Authorization request URL for the sandbox. To get a refresh token include `offline_access` in
 * scope AND prompt=consent (the defaults here).
 */
export function buildAuthorizationUrl(
  provider: Pick<SandboxProvider, 'urls'>,
  params: {
    clientId: string;
    redirectUri: string;
    codeChallenge: string;
    state: string;
    scope?: string;
    prompt?: string;
    extra?: Record<string, string>;
  },
): string {
  const url = new URL(provider.urls.authorization);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    scope: params.scope ?? 'openid profile email offline_access',
    state: params.state,
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
    ...(params.prompt === '' ? {} : { prompt: params.prompt ?? 'consent' }),
    ...params.extra,
  }).toString();
  return url.toString();
}

export interface SandboxTokenAnswer {
  status: number;
  body: { access_token?: string; refresh_token?: string; id_token?: string; expires_in?: number; scope?: string; error?: string; error_description?: string };
}

/** A token endpoint request with client_secret_basic authentication, e.g. a refresh. */
export async function requestTokens(tokenUrl: string, client: Pick<SandboxClientConfig, 'client_id' | 'client_secret'>, params: Record<string, string>): Promise<SandboxTokenAnswer> {
  const credentials = Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64');
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as SandboxTokenAnswer['body'] };
}

// ---------------------------------------------------------------------------------------------
// authorizeOverHttp: a minimal "browser" (cookie jar + manual redirects + form posts)

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  store(setCookieHeaders: string[], requestUrl: URL): void {
    for (const header of setCookieHeaders) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let cookiePath = requestUrl.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attribute of attributes) {
        const [rawKey = '', ...rest] = attribute.split('=');
        const key = rawKey.trim().toLowerCase();
        const attributeValue = rest.join('=').trim();
        if (key === 'path' && attributeValue.startsWith('/')) cookiePath = attributeValue;
        if (key === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (key === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      const id = `${name};${cookiePath}`;
      if (expired || value === '') this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path: cookiePath });
    }
  }

  header(url: URL): string | undefined {
    const matching = [...this.cookies.values()]
      .filter((cookie) => url.pathname === cookie.path
        || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
  }
}

function decodeEntities(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

interface ParsedForm {
  kind: string | undefined;
  action: string;
  hidden: Array<[string, string]>;
}

function parseForm(html: string): ParsedForm | undefined {
  const formMatch = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!formMatch) return undefined;
  const tag = /<form\b[^>]*>/i.exec(formMatch[0])?.[0] ?? '';
  const action = attribute(tag, 'action');
  if (!action) return undefined;
  const hidden: Array<[string, string]> = [];
  for (const input of (formMatch[1] ?? '').match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, 'name');
    if (name && attribute(input, 'type')?.toLowerCase() === 'hidden') hidden.push([name, attribute(input, 'value') ?? '']);
  }
  return { kind: attribute(tag, 'data-sandbox-form'), action, hidden };
}

/**
 * Does what a browser would: GETs the authorization URL, follows the provider's redirects with a
 * cookie jar, submits the login form and the consent form (Allow, or Deny with `deny: true`), and
 * stops at the first redirect leaving the provider's origin. That URL (the client's callback with
 * code/state/iss, or error=access_denied) is returned, not followed.
 */
export async function authorizeOverHttp(
  authorizationUrl: string,
  opts: { username?: string; password?: string; deny?: boolean } = {},
): Promise<{ callbackUrl: URL }> {
  const username = opts.username ?? 'alice';
  const password = opts.password ?? 'password';
  const jar = new CookieJar();
  const origin = new URL(authorizationUrl).origin;
  const seenForms = new Set<string>();

  let request: { url: URL; method: 'GET' | 'POST'; body?: URLSearchParams } = { url: new URL(authorizationUrl), method: 'GET' };
  for (let step = 0; step < 20; step += 1) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(request.url);
    if (cookie) headers.cookie = cookie;
    if (request.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body?.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    jar.store(response.headers.getSetCookie(), request.url);

    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location) throw new Error(`redirect without Location from ${request.url.pathname}`);
      const next = new URL(location, request.url);
      if (next.origin !== origin) return { callbackUrl: next };
      request = { url: next, method: 'GET' };
      continue;
    }

    const html = await response.text();
    const form = response.headers.get('content-type')?.includes('text/html') ? parseForm(html) : undefined;
    if (!form || (response.status !== 200 && response.status !== 401)) {
      throw new Error(`unexpected HTTP ${response.status} at ${request.url.pathname}: ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 400)}`);
    }
    const body = new URLSearchParams(form.hidden);
    if (form.kind === 'login' || /name="password"/.test(html)) {
      if (seenForms.has(form.action)) throw new Error(`login failed for user ${JSON.stringify(username)} (login form shown again)`);
      seenForms.add(form.action);
      body.set('username', username);
      body.set('password', password);
    } else if (form.kind === 'consent' || /name="decision"/.test(html)) {
      if (seenForms.has(form.action)) throw new Error('consent form shown twice');
      seenForms.add(form.action);
      body.set('decision', opts.deny ? 'deny' : 'allow');
    } else {
      throw new Error(`unrecognised form at ${request.url.pathname}`);
    }
    request = { url: new URL(form.action, request.url), method: 'POST', body };
  }
  throw new Error('authorization did not reach the client redirect_uri within 20 steps');
}
