import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { notFound } from '@cb/platform';
import { ConnectorEntity } from './connector.entity';
import { duplicateSlug } from '../connector-config.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

/** Every lookup is scoped to the workspace: another workspace's connector is simply not found. */
@Injectable()
export class ConnectorStore {
  async findOrFail(manager: EntityManager, workspaceId: string, id: string, options: { lock?: boolean } = {}): Promise<ConnectorEntity> {
    if (!isUuid(workspaceId) || !isUuid(id)) throw notFound('connector');
    const connector = await manager.getRepository(ConnectorEntity).findOne({
      where: { id, workspaceId },
      ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!connector) throw notFound('connector');
    return connector;
  }

  async assertSlugFree(manager: EntityManager, workspaceId: string, slug: string, exceptId?: string): Promise<void> {
    const existing = await manager.getRepository(ConnectorEntity).findOne({ where: { workspaceId, slug }, select: { id: true } });
    if (existing && existing.id !== exceptId) throw duplicateSlug(slug);
  }
}

/** Maps the unique-slug violation of a concurrent insert to the same 409 as the pre-check. */
export function rethrowUniqueSlug(error: unknown, slug: string): never {
  const driver = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = driver.driverError?.code ?? driver.code;
  const constraint = driver.driverError?.constraint ?? driver.constraint;
  if (code === '23505' && constraint === 'connectors_workspace_slug_key') throw duplicateSlug(slug);
  throw error;
}
