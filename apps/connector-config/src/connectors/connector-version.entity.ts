import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuthConfig } from '@cb/auth-modes';

/** Each version announced with ConnectorActivated: its public configuration, never its secrets. */
@Entity({ name: 'connector_versions' })
export class ConnectorVersionEntity {
  @PrimaryColumn('uuid', { name: 'connector_id' }) connectorId: string;
  @PrimaryColumn('integer') version: number;
  @Column('jsonb') config: AuthConfig;
  @Column('timestamptz', { name: 'announced_at' }) announcedAt: Date;
}
