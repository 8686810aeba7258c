import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectionEntity } from '../credential-vault/connection.entity';

/** A connection without any secret. */
export interface ConnectionView {
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  connectorVersion: number;
  connector: { slug: string; name: string; active: boolean } | null;
  mode: ConnectionEntity['mode'];
  endUserId: string;
  status: ConnectionEntity['status'];
  scopes: string[];
  expiresAt: string | null;
  refreshable: boolean;
  credentialVersion: number;
  lastRefreshedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toConnectionView(connection: ConnectionEntity, connector: ConnectorEntity | null | undefined): ConnectionView {
  return {
    connectionId: connection.id,
    workspaceId: connection.workspaceId,
    connectorId: connection.connectorId,
    connectorVersion: connection.connectorVersion,
    connector: connector ? { slug: connector.slug, name: connector.name, active: connector.active } : null,
    mode: connection.mode,
    endUserId: connection.endUserId,
    status: connection.status,
    scopes: connection.scopes,
    expiresAt: connection.expiresAt?.toISOString() ?? null,
    refreshable: connection.refreshable,
    credentialVersion: connection.credentialVersion,
    lastRefreshedAt: connection.lastRefreshedAt?.toISOString() ?? null,
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}
