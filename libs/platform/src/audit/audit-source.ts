import type { DataSource } from 'typeorm';
import { AUDIT_DEFAULT_LIMIT, auditSortSql, decodeAuditCursor, type AuditEntry, type AuditKind, type AuditQueryDto } from './audit-entry';

/**
 * One table of a service's audit, described as SQL expressions over `from` (which may join tables
 * of the same schema). An expression that the table cannot answer is `NULL`: a filter on it then
 * excludes the whole table.
 */
export interface AuditBranch {
  /** The kinds this table records. */
  kinds: readonly AuditKind[];
  /** The kind of a row; a literal when `kinds` has one. */
  kind: string;
  from: string;
  workspaceId: string;
  id: string;
  at: string;
  apiKeyId: string;
  connectionId: string;
  connectorId: string;
  /** A jsonb expression naming only fields that are never secret. */
  details: string;
  /** Extra columns that the `apiKeyId` filter matches besides `apiKeyId` (the key a key event is about). */
  alsoMatchesApiKey?: string;
}

interface AuditRow {
  id: string;
  kind: AuditKind;
  at: Date;
  api_key_id: string | null;
  connection_id: string | null;
  connector_id: string | null;
  details: Record<string, unknown>;
}

/**
 * Up to `limit + 1` entries of a workspace's audit from one service's tables, after the cursor, in
 * the audit order (see {@link auditSortSql}). The gateway merges what each service answers.
 */
export async function readAuditEntries(dataSource: DataSource, branches: readonly AuditBranch[], workspaceId: string, query: AuditQueryDto): Promise<AuditEntry[]> {
  const limit = (query.limit ?? AUDIT_DEFAULT_LIMIT) + 1;
  const position = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
  const params: unknown[] = [workspaceId];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const selects: string[] = [];
  for (const branch of branches) {
    const kinds = query.kind === undefined ? branch.kinds : branch.kinds.filter((kind) => query.kind?.includes(kind));
    if (kinds.length === 0) continue;
    if (query.connectionId !== undefined && branch.connectionId === 'NULL') continue;
    if (query.connectorId !== undefined && branch.connectorId === 'NULL') continue;
    const sort = auditSortSql(branch.at, branch.id);
    const where = [`${branch.workspaceId} = $1`];
    if (kinds.length < branch.kinds.length) where.push(`${branch.kind} = ANY(${param(kinds)}::text[])`);
    if (query.connectionId !== undefined) where.push(`${branch.connectionId} = ${param(query.connectionId)}`);
    if (query.connectorId !== undefined) where.push(`${branch.connectorId} = ${param(query.connectorId)}`);
    if (query.apiKeyId !== undefined) {
      const key = param(query.apiKeyId);
      where.push(branch.alsoMatchesApiKey ? `(${branch.apiKeyId} = ${key} OR ${branch.alsoMatchesApiKey} = ${key})` : `${branch.apiKeyId} = ${key}`);
    }
    if (query.from !== undefined) where.push(`${branch.at} >= ${param(query.from)}::timestamptz`);
    if (query.to !== undefined) where.push(`${branch.at} < ${param(query.to)}::timestamptz`);
    if (position) where.push(sort.after(param(position.at), param(position.id)));
    selects.push(
      `(SELECT ${branch.id} AS id, ${branch.kind} AS kind, ${sort.at} AS at, ${branch.apiKeyId}::text AS api_key_id, ${branch.connectionId}::text AS connection_id, ${branch.connectorId}::text AS connector_id, ${branch.details} AS details
        FROM ${branch.from} WHERE ${where.join(' AND ')} ORDER BY ${sort.order} LIMIT ${limit})`,
    );
  }
  if (selects.length === 0) return [];
  const rows = await dataSource.query<AuditRow[]>(`SELECT * FROM (${selects.join(' UNION ALL ')}) audit ORDER BY at DESC, id COLLATE "C" DESC LIMIT ${limit}`, params);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    at: row.at.toISOString(),
    apiKeyId: row.api_key_id,
    connectionId: row.connection_id,
    connectorId: row.connector_id,
    details: row.details,
  }));
}
