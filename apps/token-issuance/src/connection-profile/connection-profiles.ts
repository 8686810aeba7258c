import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { EndUserDetails } from '@cb/events';
import { schemaOf, validationFailed } from '@cb/platform';
import { ConnectionProfileEntity } from './connection-profile.entity';
import type { ConnectionPatch } from './connection-patch';
import { mergePatch, metadataProblems, tagProblems } from './profile-rules';

/** Reads and writes the profiles beside connections; every write runs in the caller's transaction. */
@Injectable()
export class ConnectionProfiles {
  private readonly upsertEndUser: string;

  constructor(dataSource: DataSource) {
    const table = `"${schemaOf(dataSource)}".connection_profiles`;
    this.upsertEndUser = `INSERT INTO ${table} (connection_id, workspace_id, end_user_display_name, end_user_email, end_user_organization_id)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (connection_id) DO UPDATE SET
        end_user_display_name = COALESCE(EXCLUDED.end_user_display_name, ${table}.end_user_display_name),
        end_user_email = COALESCE(EXCLUDED.end_user_email, ${table}.end_user_email),
        end_user_organization_id = COALESCE(EXCLUDED.end_user_organization_id, ${table}.end_user_organization_id),
        updated_at = now()`;
  }

  /**
   * On connect and reconnect: the end user details the session carried replace those given
   * before (a member left out is kept); metadata and tags are never touched here.
   */
  async recordEndUser(manager: EntityManager, connection: { id: string; workspaceId: string }, details: EndUserDetails | undefined): Promise<void> {
    await manager.query(this.upsertEndUser, [connection.id, connection.workspaceId, details?.displayName ?? null, details?.email ?? null, details?.organizationId ?? null]);
  }

  find(manager: EntityManager, connectionId: string): Promise<ConnectionProfileEntity | null> {
    return manager.getRepository(ConnectionProfileEntity).findOneBy({ connectionId });
  }

  async findMany(manager: EntityManager, connectionIds: string[]): Promise<Map<string, ConnectionProfileEntity>> {
    if (connectionIds.length === 0) return new Map();
    const rows = await manager.getRepository(ConnectionProfileEntity).findBy({ connectionId: In(connectionIds) });
    return new Map(rows.map((row) => [row.connectionId, row]));
  }

  /** Applies a merge patch to the connection's profile (locked), checking the limits on the result. */
  async apply(manager: EntityManager, connection: { id: string; workspaceId: string }, patch: ConnectionPatch): Promise<ConnectionProfileEntity> {
    const repository = manager.getRepository(ConnectionProfileEntity);
    await this.recordEndUser(manager, connection, undefined);
    const current = await repository.findOneOrFail({ where: { connectionId: connection.id }, lock: { mode: 'pessimistic_write' } });
    const next: ConnectionProfileEntity = { ...current, updatedAt: new Date() };
    if (patch.metadata !== undefined) next.metadata = patch.metadata === null ? {} : (mergePatch(current.metadata, patch.metadata) as Record<string, unknown>);
    if (patch.tags !== undefined) next.tags = patch.tags === null ? {} : (mergePatch(current.tags, patch.tags) as Record<string, string>);
    const { displayName, email, organizationId } = patch.endUser ?? {};
    if (displayName !== undefined) next.endUserDisplayName = displayName;
    if (email !== undefined) next.endUserEmail = email;
    if (organizationId !== undefined) next.endUserOrganizationId = organizationId;
    const problems = [...metadataProblems(next.metadata), ...tagProblems(next.tags)];
    if (problems.length > 0) throw validationFailed(problems);
    return repository.save(next);
  }
}
