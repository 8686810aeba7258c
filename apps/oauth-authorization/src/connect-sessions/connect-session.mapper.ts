import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectSessionEntity } from './connect-session.entity';
import { missingAttributes } from './missing-attributes';

export type PublicSessionStatus = 'pending' | 'completed' | 'failed' | 'expired';

export interface ConnectSessionView {
  sessionId: string;
  status: PublicSessionStatus;
  workspaceId: string;
  connectorId: string;
  connectorVersion: number;
  mode: string;
  connectionId: string;
  endUserId: string;
  reconnect: boolean;
  expiresAt: string;
  createdAt: string;
  completedAt: string | null;
  error: { code: string; reason: string } | null;
}

export function publicStatus(session: ConnectSessionEntity, now = new Date()): PublicSessionStatus {
  if (session.status === 'completed' || session.status === 'failed') return session.status;
  if (session.status === 'pending' && session.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'pending';
}

export function toSessionView(session: ConnectSessionEntity): ConnectSessionView {
  const status = publicStatus(session);
  return {
    sessionId: session.id,
    status,
    workspaceId: session.workspaceId,
    connectorId: session.connectorId,
    connectorVersion: session.connectorVersion,
    mode: session.mode,
    connectionId: session.connectionId,
    endUserId: session.endUserId,
    reconnect: session.reconnect,
    expiresAt: session.expiresAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
    completedAt: session.completedAt?.toISOString() ?? null,
    error:
      status === 'failed'
        ? { code: session.errorCode ?? 'connect_failed', reason: session.errorReason ?? 'The connection could not be completed.' }
        : status === 'expired'
          ? { code: 'session_expired', reason: 'The connect session expired before it was completed. Please start again.' }
          : null,
  };
}

/**
 * What the connect UI shows: the connector and, for typed credentials, the form (no secret
 * defaults); the required attributes the app left for the end user to enter.
 */
export function toUiSessionView(session: ConnectSessionEntity, connector: ConnectorEntity | null): ConnectSessionView & { connector: object | null; missingAttributes: string[] } {
  return {
    ...toSessionView(session),
    connector: connector ? { name: connector.name, slug: connector.slug, mode: connector.mode, form: formOf(connector), requiredAttributes: requiredAttributesOf(connector) } : null,
    missingAttributes: missingAttributes(connector?.config, session.attributes),
  };
}

function requiredAttributesOf(connector: ConnectorEntity): object[] {
  return (connector.config.requiredAttributes ?? []).map((attribute) => ({ key: attribute.key, label: attribute.label, description: attribute.description ?? null, pattern: attribute.pattern ?? null }));
}

function formOf(connector: ConnectorEntity): object | null {
  const config = connector.config;
  switch (config.mode) {
    case 'BASIC':
      return { usernameLabel: config.usernameLabel, passwordLabel: config.passwordLabel };
    case 'API_KEY':
    case 'BEARER':
      return { label: config.label ?? null };
    case 'CUSTOM':
      return {
        fields: config.fields.map((field) => ({
          key: field.key,
          label: field.label,
          description: field.description ?? null,
          type: field.type,
          required: field.required && !connector.secretFieldDefaults.includes(field.key),
          hidden: field.hidden,
          disabled: field.disabled,
          ...(field.type !== 'password' && field.default !== undefined ? { default: field.default } : {}),
        })),
      };
    default:
      return null;
  }
}
