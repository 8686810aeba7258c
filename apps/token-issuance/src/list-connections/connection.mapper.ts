import type { ConnectorHealth } from '../connectors/connector-health.repository';
import type { ConnectionProfileEntity } from '../connection-profile/connection-profile.entity';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { refreshFailing, RefreshState } from '../refresh-token/refresh-state.repository';

/**
 * How renewing the current credential goes. `failing`: the provider answered its last refresh with
 * a transient error (5xx, 429, timeout); the token still works until it expires, and the schedule
 * tries again at `nextAttemptAt`. Back to `ok` after a successful refresh or a new credential.
 */
export interface ConnectionRefreshView {
  state: 'ok' | 'failing';
  lastErrorCode: string | null;
  failedAttempts: number;
  nextAttemptAt: string | null;
}

/** The end user as the app described it; the e-mail is personal data (returned, never logged). */
export interface EndUserView {
  id: string;
  displayName: string | null;
  email: string | null;
  organizationId: string | null;
}

/** A connection without any secret. */
export interface ConnectionView {
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  connectorVersion: number;
  connector: { slug: string; name: string; active: boolean; health: { state: ConnectorHealth['state']; lastErrorCode: string | null; failingSince: string | null } } | null;
  mode: ConnectionEntity['mode'];
  endUserId: string;
  endUser: EndUserView;
  /** The `{tenant}` and `{attr.<key>}` values the connection was made with (not secret). */
  tenant: string | null;
  attributes: Record<string, string>;
  metadata: Record<string, unknown>;
  tags: Record<string, string>;
  status: ConnectionEntity['status'];
  scopes: string[];
  expiresAt: string | null;
  refreshable: boolean;
  credentialVersion: number;
  lastRefreshedAt: string | null;
  refresh: ConnectionRefreshView;
  createdAt: string;
  updatedAt: string;
}

export function toConnectionView(
  connection: ConnectionEntity,
  connector: ConnectorEntity | null | undefined,
  refreshState: RefreshState | undefined,
  health: ConnectorHealth | undefined,
  profile: ConnectionProfileEntity | null | undefined,
): ConnectionView {
  return {
    connectionId: connection.id,
    workspaceId: connection.workspaceId,
    connectorId: connection.connectorId,
    connectorVersion: connection.connectorVersion,
    connector: connector ? { slug: connector.slug, name: connector.name, active: connector.active, health: toHealthView(health) } : null,
    mode: connection.mode,
    endUserId: connection.endUserId,
    endUser: {
      id: connection.endUserId,
      displayName: profile?.endUserDisplayName ?? null,
      email: profile?.endUserEmail ?? null,
      organizationId: profile?.endUserOrganizationId ?? null,
    },
    tenant: connection.tenant,
    attributes: connection.attributes,
    metadata: profile?.metadata ?? {},
    tags: profile?.tags ?? {},
    status: connection.status,
    scopes: connection.scopes,
    expiresAt: connection.expiresAt?.toISOString() ?? null,
    refreshable: connection.refreshable,
    credentialVersion: connection.credentialVersion,
    lastRefreshedAt: connection.lastRefreshedAt?.toISOString() ?? null,
    refresh: toRefreshView(connection, refreshState),
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}

function toRefreshView(connection: ConnectionEntity, state: RefreshState | undefined): ConnectionRefreshView {
  if (!refreshFailing(state, connection)) return { state: 'ok', lastErrorCode: null, failedAttempts: 0, nextAttemptAt: null };
  return { state: 'failing', lastErrorCode: state.lastErrorCode, failedAttempts: state.failedAttempts, nextAttemptAt: state.nextAttemptAt?.toISOString() ?? null };
}

function toHealthView(health: ConnectorHealth | undefined): { state: ConnectorHealth['state']; lastErrorCode: string | null; failingSince: string | null } {
  if (health?.state !== 'failing') return { state: 'ok', lastErrorCode: null, failingSince: null };
  return { state: 'failing', lastErrorCode: health.lastErrorCode, failingSince: health.failingSince?.toISOString() ?? null };
}
