import type { SelectQueryBuilder } from 'typeorm';
import { validationFailed } from '@cb/platform';
import { ConnectionProfileEntity } from '../connection-profile/connection-profile.entity';
import { parseTagFilter } from '../connection-profile/profile-rules';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import type { ListConnectionsRequestDto } from './list-connections.request.dto';

/**
 * The list's filters on `c` (connections), joining the profile only when a filter needs it. Two
 * `tag` filters with one key and different values match nothing (a connection has one value per key).
 */
export function applyListFilters(builder: SelectQueryBuilder<ConnectionEntity>, workspaceId: string, query: ListConnectionsRequestDto): SelectQueryBuilder<ConnectionEntity> {
  builder.where('c.workspace_id = :workspaceId', { workspaceId });
  if (query.connectorId) builder.andWhere('c.connector_id = :connectorId', { connectorId: query.connectorId });
  if (query.endUserId) builder.andWhere('c.end_user_id = :endUserId', { endUserId: query.endUserId });
  if (query.status) builder.andWhere('c.status = :status', { status: query.status });
  if (query.createdAfter) builder.andWhere('c.created_at > :createdAfter', { createdAfter: new Date(query.createdAfter) });
  if (query.createdBefore) builder.andWhere('c.created_at < :createdBefore', { createdBefore: new Date(query.createdBefore) });
  const tags = query.tag?.length ? tagContainment(query.tag) : undefined;
  if (tags !== undefined || query.organizationId) {
    builder.innerJoin(ConnectionProfileEntity, 'p', 'p.connection_id = c.id');
    if (tags === null) builder.andWhere('false');
    else if (tags !== undefined) builder.andWhere('p.tags @> CAST(:tags AS jsonb)', { tags: JSON.stringify(tags) });
    // p.workspace_id too, so that the (workspace_id, end_user_organization_id) index answers it.
    if (query.organizationId) builder.andWhere('p.workspace_id = :workspaceId AND p.end_user_organization_id = :organizationId', { organizationId: query.organizationId });
  }
  return builder;
}

/** Continues after the cursor's (createdAt, id), in the list's order. */
export function applyCursor(builder: SelectQueryBuilder<ConnectionEntity>, cursor: string): void {
  const after = decodeCursor(cursor);
  builder.andWhere('(c.created_at, c.id) > (:cursorCreatedAt, :cursorId)', { cursorCreatedAt: new Date(after.createdAt), cursorId: after.id });
}

export function encodeCursor(connection: ConnectionEntity): string {
  return Buffer.from(JSON.stringify([connection.createdAt.toISOString(), connection.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return { createdAt, id };
  } catch {
    // falls through to the validation error
  }
  throw validationFailed([{ path: 'cursor', message: 'cursor is not one this API returned' }]);
}

/** `{ key: value, … }` for `@>`, or null when two filters want different values of one key. */
function tagContainment(filters: string[]): Record<string, string> | null {
  const wanted: Record<string, string> = {};
  for (const filter of filters) {
    const { key, value } = parseTagFilter(filter);
    if (key in wanted && wanted[key] !== value) return null;
    wanted[key] = value;
  }
  return wanted;
}
