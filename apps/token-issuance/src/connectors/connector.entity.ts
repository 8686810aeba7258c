import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The latest activated version of a connector. Secrets are re-sealed for this table with the
 * contexts `connectors:<connectorId>:clientSecret` and `connectors:<connectorId>:fields.<key>`.
 */
@Entity({ name: 'connectors' })
export class ConnectorEntity {
  @PrimaryColumn({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ type: 'text' }) slug: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) mode: 'OAUTH2' | 'BASIC' | 'API_KEY' | 'BEARER' | 'CUSTOM';
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'jsonb' }) config: Record<string, unknown>;
  @Column({ name: 'sealed_client_secret', type: 'text', nullable: true }) sealedClientSecret: string | null;
  /** Field key → sealed default of a password field. */
  @Column({ name: 'sealed_field_defaults', type: 'jsonb' }) sealedFieldDefaults: Record<string, string>;
  @Column({ type: 'boolean' }) active: boolean;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export const clientSecretContext = (connectorId: string): string => `connectors:${connectorId}:clientSecret`;
export const fieldDefaultContext = (connectorId: string, key: string): string => `connectors:${connectorId}:fields.${key}`;
