import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What this service knows of a connector: the latest activated version's non-secret configuration. */
@Entity({ name: 'connectors' })
export class ConnectorEntity {
  @PrimaryColumn({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ type: 'text' }) slug: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) mode: 'OAUTH2' | 'BASIC' | 'API_KEY' | 'BEARER' | 'CUSTOM';
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'jsonb' }) config: Record<string, unknown>;
  /** Keys of password fields whose default is a secret held (sealed) by token-issuance only. */
  @Column({ name: 'secret_field_defaults', type: 'text', array: true }) secretFieldDefaults: string[];
  @Column({ type: 'boolean' }) active: boolean;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
