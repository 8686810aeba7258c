import type { AuthConfig } from '@cb/auth-modes';
import type { ConnectorActivatedPayload, ConnectorDeactivatedPayload } from '@cb/events';
import type { EntityManager, EntityTarget } from 'typeorm';
import type { ConnectorProjectionColumns } from './connector-projection.columns';

/** The columns a service keeps beyond the shared ones, computed only when the event wins. */
export type OwnConnectorColumns<T extends ConnectorProjectionColumns> = () => Omit<T, keyof ConnectorProjectionColumns>;

/**
 * Applies ConnectorActivated to a projection inside the inbox transaction: the row is locked, an
 * older version than the one held never wins (events of one connector can be redelivered), and the
 * connector becomes active. Returns whether the projection changed.
 */
export async function projectConnectorActivated<T extends ConnectorProjectionColumns>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  payload: ConnectorActivatedPayload,
  ownColumns: OwnConnectorColumns<T>,
): Promise<boolean> {
  const repository = manager.getRepository<ConnectorProjectionColumns>(entity);
  const current = await repository.findOne({ where: { connectorId: payload.connectorId }, lock: { mode: 'pessimistic_write' } });
  if (current && current.version > payload.version) return false;
  await repository.save({
    connectorId: payload.connectorId,
    workspaceId: payload.workspaceId,
    slug: payload.slug,
    name: payload.name,
    mode: payload.mode,
    version: payload.version,
    // connector-config validated the configuration before it announced it
    config: payload.config as AuthConfig,
    active: true,
    updatedAt: new Date(),
    ...ownColumns(),
  });
  return true;
}

/** Applies ConnectorDeactivated: the version it names, or an older one held, stops being connectable. */
export async function projectConnectorDeactivated(manager: EntityManager, entity: EntityTarget<ConnectorProjectionColumns>, payload: ConnectorDeactivatedPayload): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(entity)
    .set({ active: false, updatedAt: new Date() })
    .where('connector_id = :id AND version <= :version', { id: payload.connectorId, version: payload.version })
    .execute();
}
