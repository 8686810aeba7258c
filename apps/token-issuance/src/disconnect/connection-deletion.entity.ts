import { Column, Entity, PrimaryColumn } from 'typeorm';

export type RevocationOutcome = 'revoked' | 'not_supported' | 'failed' | 'nothing_to_revoke';

/** What remains of a deleted connection: the revocation outcome at the provider. No secret. */
@Entity({ name: 'connection_deletions' })
export class ConnectionDeletionEntity {
  @PrimaryColumn({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ type: 'text' }) revocation: RevocationOutcome;
  @Column({ name: 'revocation_error', type: 'text', nullable: true }) revocationError: string | null;
  @Column({ name: 'deleted_at', type: 'timestamptz' }) deletedAt: Date;
}
