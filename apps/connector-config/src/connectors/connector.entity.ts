import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuthConfig, AuthMode } from '@cb/auth-modes';

export const CONNECTOR_STATUSES = ['draft', 'active', 'inactive'] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUSES)[number];

/**
 * A connector. `config` is the validated configuration with its secrets taken out
 * (`splitSecrets`); `sealedSecrets` maps each secret path (`clientSecret`, `fields.<key>.default`)
 * to `Keyring.seal(value, 'connectors:<id>:<path>')`.
 */
@Entity({ name: 'connectors' })
export class ConnectorEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') slug: string;
  @Column('text') name: string;
  @Column('text') mode: AuthMode;
  @Column('text') status: ConnectorStatus;
  /** 1 at creation; bumped by every change once the connector has been activated. */
  @Column('integer') version: number;
  @Column('jsonb') config: AuthConfig;
  @Column('jsonb', { name: 'sealed_secrets' }) sealedSecrets: Record<string, string>;
  @Column('text', { name: 'template_id', nullable: true }) templateId: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  @Column('timestamptz', { name: 'activated_at', nullable: true }) activatedAt: Date | null;
  @Column('timestamptz', { name: 'deactivated_at', nullable: true }) deactivatedAt: Date | null;
}
