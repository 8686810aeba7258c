import type { Readable } from 'node:stream';
/**
 * The rules both hops of the proxy apply (the gateway, then token-issuance): which paths may be
 * appended to a connector's API base URL, and which headers cross in each direction. Written once
 * so the two hops cannot disagree.
 */

/** Why a proxied path is refused; each is named in the 400's details. */
export type ProxyPathProblem =
  | 'empty_path'
  | 'absolute_url'
  | 'double_slash'
  | 'backslash'
  | 'encoded_slash'
  | 'dot_segment'
  | 'nul_character'
  | 'control_character'
  | 'malformed_encoding';

const PROBLEM_MESSAGES: Record<ProxyPathProblem, string> = {
  empty_path: 'the path is empty',
  absolute_url: 'the path must not be an absolute URL',
  double_slash: 'the path must not start with //',
  backslash: 'the path must not contain a backslash (\\ or %5C)',
  encoded_slash: 'the path must not contain an encoded slash (%2F)',
  dot_segment: 'the path must not contain . or .. segments (%2E included)',
  nul_character: 'the path must not contain a NUL character',
  control_character: 'the path must not contain control characters or spaces',
  malformed_encoding: 'the path has a malformed percent-encoding',
};

export function proxyPathProblemMessage(problem: ProxyPathProblem): string {
  return PROBLEM_MESSAGES[problem];
}

/**
 * What is wrong with a path to append to an API base URL, as it came on the wire (after the
 * proxy's own prefix, without the query string), or `undefined`. A path that passes cannot leave
 * the base URL: no segment resolves to `.` or `..` however it is encoded, no `/` or `\` hides in an
 * escape, and it cannot name another origin.
 */
export function proxyPathProblem(rawPath: string): ProxyPathProblem | undefined {
  if (rawPath === '' || rawPath === '/') return 'empty_path';
  if (/%00|\0/i.test(rawPath)) return 'nul_character';
  if (/[\x00-\x20\x7F]/.test(rawPath)) return 'control_character';
  if (rawPath.includes('\\') || /%5c/i.test(rawPath)) return 'backslash';
  if (/%2f/i.test(rawPath)) return 'encoded_slash';
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path.startsWith('/')) return 'double_slash';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return 'absolute_url';
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return 'malformed_encoding';
    }
    if (decoded === '.' || decoded === '..') return 'dot_segment';
  }
  return undefined;
}

/**
 * Request headers forwarded to the provider, lower case. Never the caller's `Authorization`,
 * `Cookie` or `X-Api-Key` (its credential for the broker, not the provider's), never hop-by-hop
 * headers (RFC 9110 §7.6.1), never `Host`.
 */
export const PROXY_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'range',
  'prefer',
  'idempotency-key',
]);

/** Response headers passed back to the caller, lower case; never `Set-Cookie`. `Location` only when same-origin (see {@link proxyResponseHeaders}). */
export const PROXY_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-range',
  'content-disposition',
  'accept-ranges',
  'cache-control',
  'etag',
  'last-modified',
  'expires',
  'retry-after',
  'link',
  'location',
  'vary',
  'ratelimit',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-used',
  'x-ratelimit-resource',
  'x-rate-limit-limit',
  'x-rate-limit-remaining',
  'x-rate-limit-reset',
]);

/** Marks the broker's own error answers on the proxy routes, so callers can tell them from the provider's. */
export const BROKER_ERROR_HEADER = 'x-broker-error';

type HeaderValue = string | string[] | number | undefined;

/** The forwardable request headers, lower case, single-valued; `user-agent` gets the broker's name in front. */
export function proxyRequestHeaders(headers: Readonly<Record<string, HeaderValue>>, product: string): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!PROXY_REQUEST_HEADERS.has(lower) || value === undefined) continue;
    forwarded[lower] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const agent = headers['user-agent'];
  forwarded['user-agent'] = typeof agent === 'string' && agent !== '' ? `${product} ${agent}` : product;
  return forwarded;
}

/**
 * The response headers to pass back: the allow-listed ones, with `Location` only when it resolves
 * to the API base URL's origin (anything else would hand the caller a URL they cannot follow
 * through the proxy, or one that names an internal host).
 */
export function proxyResponseHeaders(headers: Readonly<Record<string, HeaderValue>>, baseUrl: string | undefined, extra: ReadonlySet<string> = new Set()): Record<string, string | string[]> {
  const passed: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if ((!PROXY_RESPONSE_HEADERS.has(lower) && !extra.has(lower)) || value === undefined) continue;
    if (lower === 'location' && !sameOrigin(String(Array.isArray(value) ? value[0] : value), baseUrl)) continue;
    passed[lower] = typeof value === 'number' ? String(value) : value;
  }
  return passed;
}

function sameOrigin(location: string, baseUrl: string | undefined): boolean {
  if (baseUrl === undefined) return true;
  try {
    const base = new URL(baseUrl);
    return new URL(location, base).origin === base.origin;
  } catch {
    return false;
  }
}

/** An answer's body as undici hands it over: a stream that can also be read whole. */
export type AnswerBody = Readable & { arrayBuffer(): Promise<ArrayBuffer> };

/** Answers that declare a length up to this are read whole and sent on in one write. */
export const WHOLE_ANSWER_BYTES = 64 * 1024;

/**
 * The body read whole when the answer declares a length up to {@link WHOLE_ANSWER_BYTES} (the
 * common small JSON answer: one write with its head, no stream machinery per call); undefined for
 * any other answer, which is streamed as it arrives.
 */
export async function wholeSmallBody(headers: Readonly<Record<string, HeaderValue>>, body: AnswerBody): Promise<Buffer | undefined> {
  const declared = Number(headers['content-length']);
  if (!Number.isSafeInteger(declared) || declared > WHOLE_ANSWER_BYTES) return undefined;
  return Buffer.from(await body.arrayBuffer());
}
