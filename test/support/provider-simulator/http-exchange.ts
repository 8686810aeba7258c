/** The HTTP side of the simulated providers: what came in, and how an answer goes out. */
import type { IncomingMessage } from 'node:http';

export type BodyFormat = 'form' | 'json' | 'none' | 'other';

/** A request as a provider endpoint sees it. */
export interface Exchange {
  readonly method: string;
  /** The path below the profile's mount point, e.g. `/login.microsoftonline.com/common/oauth2/v2.0/token`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly bodyFormat: BodyFormat;
  /** Form or JSON body members (strings only; other JSON values are dropped). */
  readonly params: Readonly<Record<string, string>>;
  readonly cookies: Readonly<Record<string, string>>;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export async function readExchange(request: IncomingMessage, path: string, query: URLSearchParams): Promise<Exchange> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const mediaType = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const { bodyFormat, params } = parseBody(mediaType, text);
  return { method: request.method ?? 'GET', path, query, headers: request.headers, bodyFormat, params, cookies: parseCookies(request.headers.cookie) };
}

function parseBody(mediaType: string, text: string): { bodyFormat: BodyFormat; params: Record<string, string> } {
  if (text === '') return { bodyFormat: 'none', params: {} };
  if (mediaType === 'application/x-www-form-urlencoded') return { bodyFormat: 'form', params: Object.fromEntries(new URLSearchParams(text)) };
  if (mediaType === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { bodyFormat: 'other', params: {} };
      const strings = Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
      return { bodyFormat: 'json', params: Object.fromEntries(strings) };
    } catch {
      return { bodyFormat: 'other', params: {} };
    }
  }
  return { bodyFormat: 'other', params: {} };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Token-endpoint answers are never cached (RFC 6749 §5.1). */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers }, body: JSON.stringify(body) };
}

export function form(status: number, body: Record<string, string | number | undefined>): Answer {
  const defined = Object.entries(body).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  return {
    status,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...NO_STORE },
    body: new URLSearchParams(defined.map(([key, value]): [string, string] => [key, String(value)])).toString(),
  };
}

export function text(status: number, body: string): Answer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** The authorization response: a 302 to the client's redirect URI with these parameters added. */
export function redirect(redirectUri: string, params: Record<string, string | undefined>): Answer {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' } };
}

/** `Authorization: Bearer <token>` (GitHub also takes `token <token>`). */
export function bearerToken(exchange: Exchange, schemes: readonly string[] = ['bearer']): string | undefined {
  const match = /^(\S+)\s+(\S+)$/.exec(exchange.headers.authorization ?? '');
  return match && schemes.includes(match[1]!.toLowerCase()) ? match[2] : undefined;
}
