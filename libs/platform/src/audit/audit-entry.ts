import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { validationFailed } from '../errors/app-error';

/** What the audit records, each kind in the service that owns it (ADR 0008). */
export const AUDIT_KINDS = ['credential_read', 'proxy_call', 'connection_import', 'connector_change', 'api_key_created', 'api_key_revoked'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * One audit entry as every service answers it. `id` is unique across services (a kind prefix and
 * the row's id) and ASCII, so sorting by it is the same in PostgreSQL (`COLLATE "C"`) and in JS.
 * `at` is the event's time to the millisecond. `details` holds the kind's own fields, never a secret.
 */
export interface AuditEntry {
  id: string;
  kind: AuditKind;
  at: string;
  /** The API key that acted (its id, never its secret or hash); null when an operator acted from the CLI. */
  apiKeyId: string | null;
  connectionId: string | null;
  connectorId: string | null;
  details: Record<string, unknown>;
}

/** Where a page stopped: the last entry's time and id. Every source continues strictly after it. */
export interface AuditPosition {
  at: string;
  id: string;
}

export const AUDIT_DEFAULT_LIMIT = 50;
export const AUDIT_MAX_LIMIT = 200;

/** The filters of `GET /v1/audit`, passed on unchanged to each service's internal audit endpoint. Every filter is ANDed. */
export class AuditQueryDto {
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray({ message: 'kind must be an audit kind, repeatable' })
  @ArrayMaxSize(AUDIT_KINDS.length)
  @IsIn(AUDIT_KINDS, { each: true, message: `kind must be one of ${AUDIT_KINDS.join(', ')}` })
  kind?: AuditKind[];
  @IsOptional() @IsUUID() connectionId?: string;
  @IsOptional() @IsUUID() connectorId?: string;
  @IsOptional() @IsUUID() apiKeyId?: string;
  /** Inclusive. */
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' }) from?: string;
  /** Exclusive. */
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' }) to?: string;
  @IsOptional() @IsString() @MaxLength(512) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(AUDIT_MAX_LIMIT) limit?: number;
}

const ENTRY_ID = /^[a-z]{2}_[A-Za-z0-9-]{1,64}$/;

export function encodeAuditCursor(position: AuditPosition): string {
  return Buffer.from(JSON.stringify({ at: position.at, id: position.id }), 'utf8').toString('base64url');
}

/** The position a cursor names, or 400 `validation_failed` naming `cursor`. */
export function decodeAuditCursor(cursor: string): AuditPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    if (typeof parsed.at === 'string' && typeof parsed.id === 'string' && ENTRY_ID.test(parsed.id)) {
      const at = new Date(parsed.at);
      if (!Number.isNaN(at.getTime()) && at.toISOString() === parsed.at) return { at: parsed.at, id: parsed.id };
    }
  } catch {
    // reported below
  }
  throw validationFailed([{ path: 'cursor', message: 'cursor is not one this API returned' }]);
}

/** The one order of the audit: newest first, then by id descending (byte order). */
export function compareAuditEntries(a: AuditPosition, b: AuditPosition): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

/**
 * Merges what each source answered (each sorted, each holding up to `limit + 1` entries after the
 * same position) into one page. Every entry of the first `limit` overall is among some source's first
 * `limit + 1`, so nothing is skipped; the next page starts strictly after the last entry shown, so
 * nothing repeats.
 */
export function mergeAuditPages(pages: readonly AuditEntry[][], limit: number): { items: AuditEntry[]; nextCursor: string | null } {
  const all = pages.flat().sort(compareAuditEntries);
  const items = all.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: all.length > limit && last ? encodeAuditCursor(last) : null };
}

/**
 * The SQL a source's query needs for the audit order, for a time column and an id expression.
 * The sort key is the time truncated to the millisecond, which is what `at` carries.
 */
export function auditSortSql(timeColumn: string, idExpression: string): { at: string; id: string; after: (atParam: string, idParam: string) => string; order: string } {
  const at = `date_trunc('milliseconds', ${timeColumn})`;
  const id = `(${idExpression}) COLLATE "C"`;
  return {
    at,
    id,
    after: (atParam, idParam) => `(${at} < ${atParam}::timestamptz OR (${at} = ${atParam}::timestamptz AND ${id} < ${idParam}))`,
    order: `${at} DESC, ${id} DESC`,
  };
}
