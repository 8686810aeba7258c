import { Column, Entity, PrimaryColumn } from 'typeorm';

export const CONNECTOR_CHANGE_ACTIONS = ['created', 'updated', 'activated', 'deactivated', 'deleted'] as const;
export type ConnectorChangeAction = (typeof CONNECTOR_CHANGE_ACTIONS)[number];

/**
 * One path that changed. Non-secret paths carry their values before and after (absent when the
 * path did not exist); a secret path says only `secret: true`, never a value.
 */
export type ChangedPath = { path: string; before?: unknown; after?: unknown } | { path: string; secret: true };

/**
 * The audit trail of a connector: who did what, when, and which paths changed. Written in the
 * transaction of the change itself; kept after the connector is deleted.
 */
@Entity({ name: 'connector_changes' })
export class ConnectorChangeEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'connector_id' }) connectorId: string;
  /** The connector's version after the change. */
  @Column('integer') version: number;
  @Column('text') action: ConnectorChangeAction;
  /** Who asked, as the gateway names them: `api_key:<id>`. */
  @Column('text') actor: string;
  @Column('jsonb') changes: ChangedPath[];
  @Column('timestamptz', { name: 'changed_at' }) changedAt: Date;
}
