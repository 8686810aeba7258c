import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ConnectionStatus = 'active' | 'needs_reconnect';

/**
 * A connection and its current credential. `sealedCredential` is the JSON of a
 * {@link StoredCredential} sealed with the context `connections:<id>`; `credentialKeyId` names the
 * vault key that sealed it, so rotation can find what to re-seal. Every other column is no secret.
 */
@Entity({ name: 'connections' })
export class ConnectionEntity {
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ name: 'connector_version', type: 'integer' }) connectorVersion: number;
  @Column({ type: 'text' }) mode: 'OAUTH2' | 'BASIC' | 'API_KEY' | 'BEARER' | 'CUSTOM';
  @Column({ name: 'end_user_id', type: 'text' }) endUserId: string;
  @Column({ type: 'text', nullable: true }) tenant: string | null;
  @Column({ type: 'jsonb' }) attributes: Record<string, string>;
  @Column({ type: 'text' }) status: ConnectionStatus;
  @Column({ name: 'credential_version', type: 'integer' }) credentialVersion: number;
  @Column({ name: 'sealed_credential', type: 'text' }) sealedCredential: string;
  @Column({ name: 'credential_key_id', type: 'text' }) credentialKeyId: string;
  @Column({ type: 'jsonb' }) scopes: string[];
  @Column({ name: 'token_type', type: 'text', nullable: true }) tokenType: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ type: 'boolean' }) refreshable: boolean;
  @Column({ name: 'refresh_margin_seconds', type: 'integer' }) refreshMarginSeconds: number;
  @Column({ name: 'last_session_id', type: 'uuid', nullable: true }) lastSessionId: string | null;
  @Column({ name: 'last_refreshed_at', type: 'timestamptz', nullable: true }) lastRefreshedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export const connectionContext = (connectionId: string): string => `connections:${connectionId}`;
