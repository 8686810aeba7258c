import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The JSON a product keeps with a connection: never secret, bounded by {@link METADATA_LIMITS}. */
export type Metadata = Record<string, unknown>;

/**
 * What the product says about a connection, kept apart from the connections row that the
 * credential read loads. The e-mail is personal data: returned to the workspace, never logged.
 */
@Entity({ name: 'connection_profiles' })
export class ConnectionProfileEntity {
  @PrimaryColumn({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'end_user_display_name', type: 'text', nullable: true }) endUserDisplayName: string | null;
  @Column({ name: 'end_user_email', type: 'text', nullable: true }) endUserEmail: string | null;
  @Column({ name: 'end_user_organization_id', type: 'text', nullable: true }) endUserOrganizationId: string | null;
  @Column({ type: 'jsonb' }) metadata: Metadata;
  @Column({ type: 'jsonb' }) tags: Record<string, string>;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
