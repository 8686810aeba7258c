import { fetch as undiciFetch } from 'undici';
import { readAtMost } from '../bounded-body';
import { DestinationRefusedError, outboundAgent } from '../outbound/guarded-agent';
import type { OutboundPolicy } from '../outbound/outbound-policy';
import { DiscoveryError } from './discovery-error';

/** Metadata documents are small; a larger answer is not one. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

export interface FetchedDocument {
  readonly url: string;
  readonly status: number;
  /** `WWW-Authenticate`, for a protected resource's 401. */
  readonly wwwAuthenticate: string | null;
  /** The JSON object of a 200 answer, `undefined` for anything else. */
  readonly json: Record<string, unknown> | undefined;
}

/** GETs one URL of a discovery; the seam tests replace. */
export type DocumentFetcher = (url: string) => Promise<FetchedDocument>;

export interface DocumentFetcherOptions {
  readonly outbound: OutboundPolicy;
  /** Each request, body included. */
  readonly timeoutMs: number;
}

/**
 * GETs through the outbound policy's agent, never following a redirect (a metadata document is
 * served where its issuer says, RFC 8414 §3), reading at most {@link MAX_DOCUMENT_BYTES}.
 */
export function documentFetcher(options: DocumentFetcherOptions): DocumentFetcher {
  return async (url) => {
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(), options.timeoutMs);
    try {
      const response = await undiciFetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: abort.signal,
        dispatcher: outboundAgent(options.outbound),
      });
      const text = await readAtMost(response, MAX_DOCUMENT_BYTES);
      if (text === undefined) throw new DiscoveryError('document_too_large', `${describe(url)} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
      return { url, status: response.status, wwwAuthenticate: response.headers.get('www-authenticate'), json: response.status === 200 ? jsonObject(text) : undefined };
    } catch (error) {
      if (error instanceof DiscoveryError) throw error;
      if (isRefused(error)) throw new DiscoveryError('refused_destination', `${describe(url)} resolves to an address the outbound policy refuses; allow it with OUTBOUND_ALLOWED_HOSTS or OUTBOUND_ALLOWED_CIDRS`);
      if (abort.signal.aborted) throw new DiscoveryError('unreachable', `${describe(url)} did not answer within ${options.timeoutMs} ms`);
      throw new DiscoveryError('unreachable', `${describe(url)} could not be reached`);
    } finally {
      clearTimeout(deadline);
      abort.abort();
    }
  };
}

/** Origin and path, never the query. */
export function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isRefused(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof DestinationRefusedError) return true;
  }
  return false;
}
