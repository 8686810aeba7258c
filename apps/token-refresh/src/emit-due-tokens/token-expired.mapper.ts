import { TokenExpiredPayload } from '@cb/events';
import { DueRow } from '../schedule/refresh-schedule.repository';

export function toTokenExpired(row: DueRow, reason: 'due' | 'expired', detectedAt: Date, nextAttemptAt: Date | null): TokenExpiredPayload {
  return {
    connectionId: row.connectionId,
    workspaceId: row.workspaceId,
    connectorId: row.connectorId,
    endUserId: row.endUserId,
    reason,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    credentialVersion: row.credentialVersion,
    detectedAt: detectedAt.toISOString(),
    nextAttemptAt: nextAttemptAt ? nextAttemptAt.toISOString() : null,
  };
}
