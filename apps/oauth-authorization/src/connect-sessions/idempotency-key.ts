import { createHash } from 'node:crypto';
import { validationFailed } from '@cb/platform';

/** What a retried opening request carries: the caller's key and a fingerprint of what it asked. */
export interface IdempotentRequest {
  key: string;
  fingerprint: string;
}

/** Visible ASCII, 1 to 255 characters: a UUID or any other client-chosen id. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function idempotentRequest(key: string | undefined, request: object): IdempotentRequest | undefined {
  if (key === undefined) return undefined;
  if (!KEY_PATTERN.test(key)) throw validationFailed([{ path: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' }]);
  return { key, fingerprint: fingerprintOf(request) };
}

function fingerprintOf(request: object): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** JSON with object keys sorted, so that the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A concurrent request with the same key committed its session first. */
export function isIdempotencyKeyConflict(error: unknown): boolean {
  const { driverError } = (error ?? {}) as { driverError?: { code?: string; constraint?: string } };
  return driverError?.code === '23505' && driverError.constraint === 'connect_sessions_idempotency_key';
}
