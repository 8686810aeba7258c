/** An endpoint row as read (the sealed secrets never leave the store). */
export interface WebhookEndpointRow {
  id: string;
  workspace_id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: 'by_request' | 'failing' | null;
  failed_deliveries_in_a_row: number;
  previous_secret_expires_at: Date | null;
  secret_rotated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const ENDPOINT_COLUMNS =
  'id, workspace_id, url, description, event_types, enabled, disabled_reason, failed_deliveries_in_a_row, previous_secret_expires_at, secret_rotated_at, created_at, updated_at';

export interface WebhookEndpointResponse {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  /** `failing` when its deliveries kept failing and the broker disabled it; `disabled` when disabled by request. */
  status: 'active' | 'disabled' | 'failing';
  failedDeliveriesInARow: number;
  /** Until when the previous secret still signs beside the current one, after a rotation. */
  previousSecretExpiresAt: string | null;
  secretRotatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toEndpointResponse(row: WebhookEndpointRow, now = new Date()): WebhookEndpointResponse {
  const graceEnds = row.previous_secret_expires_at && row.previous_secret_expires_at > now ? row.previous_secret_expires_at.toISOString() : null;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    status: row.enabled ? 'active' : row.disabled_reason === 'failing' ? 'failing' : 'disabled',
    failedDeliveriesInARow: row.failed_deliveries_in_a_row,
    previousSecretExpiresAt: graceEnds,
    secretRotatedAt: row.secret_rotated_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
