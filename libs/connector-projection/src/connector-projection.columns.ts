import { Column, PrimaryColumn } from 'typeorm';
import type { AuthConfig, AuthMode } from '@cb/auth-modes';

/**
 * What every service that follows ConnectorActivated/ConnectorDeactivated knows of a connector: the
 * latest activated version's non-secret configuration. Each service's `connectors` entity extends
 * it with what it alone keeps (sealed secrets, secret field keys); each owns its own table.
 */
export abstract class ConnectorProjectionColumns {
  @PrimaryColumn({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ type: 'text' }) slug: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) mode: AuthMode;
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'jsonb' }) config: AuthConfig;
  @Column({ type: 'boolean' }) active: boolean;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
