import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A connection token-issuance announced (TokenIssued); a re-authorization must name one of these. */
@Entity({ name: 'known_connections' })
export class KnownConnectionEntity {
  @PrimaryColumn({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ name: 'end_user_id', type: 'text' }) endUserId: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
