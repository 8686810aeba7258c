import { AuthConfig, mergeSecrets, redactedView, RedactedAuthConfig } from '@cb/auth-modes';
import type { ConnectorEntity, ConnectorStatus } from './connector.entity';

export interface ConnectorResponse {
  id: string;
  workspaceId: string;
  slug: string;
  name: string;
  mode: string;
  status: ConnectorStatus;
  version: number;
  templateId: string | null;
  config: RedactedAuthConfig;
  statusNote: string;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  deactivatedAt: string | null;
}

const STATUS_NOTES: Record<ConnectorStatus, string> = {
  draft: 'Draft: activate the connector to allow connections.',
  active: 'Active: end users can connect.',
  inactive: 'Inactive: new connections are refused; existing connections keep working until they are removed.',
};

/** The API view of a connector: secrets become `{ isSet: true }`; their values never leave the row. */
export function toConnectorResponse(connector: ConnectorEntity): ConnectorResponse {
  const presence = Object.fromEntries(Object.keys(connector.sealedSecrets).map((path) => [path, 'set']));
  return {
    id: connector.id,
    workspaceId: connector.workspaceId,
    slug: connector.slug,
    name: connector.name,
    mode: connector.mode,
    status: connector.status,
    version: connector.version,
    templateId: connector.templateId,
    config: redactedView(mergeSecrets(connector.config, presence)),
    statusNote: STATUS_NOTES[connector.status],
    createdAt: connector.createdAt.toISOString(),
    updatedAt: connector.updatedAt.toISOString(),
    activatedAt: connector.activatedAt?.toISOString() ?? null,
    deactivatedAt: connector.deactivatedAt?.toISOString() ?? null,
  };
}

/** The configuration as announced in events: no secrets (they travel sealed beside it). */
export function publicConfigForEvent(config: AuthConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
}
