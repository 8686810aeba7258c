import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EndUserDetails } from '@cb/events';

export type SessionState = 'pending' | 'authorized' | 'completed' | 'failed';

/** A connect attempt. `tokenHash` is SHA-256 of the session token; the token itself is never stored. */
@Entity({ name: 'connect_sessions' })
export class ConnectSessionEntity {
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ name: 'connector_version', type: 'integer' }) connectorVersion: number;
  @Column({ type: 'text' }) mode: string;
  @Column({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ type: 'boolean' }) reconnect: boolean;
  @Column({ name: 'end_user_id', type: 'text' }) endUserId: string;
  /** Name, e-mail, organization as the app gave them; personal data, never logged. */
  @Column({ name: 'end_user_details', type: 'jsonb', nullable: true }) endUserDetails: EndUserDetails | null;
  /** The connection's metadata and tags given when the session opened; null when neither was. */
  @Column({ name: 'profile', type: 'jsonb', nullable: true }) profile: SessionProfile | null;
  @Column({ type: 'text', nullable: true }) tenant: string | null;
  @Column({ type: 'jsonb' }) attributes: Record<string, string>;
  /** Scopes the session asked for beyond the connector's defaults (each one of its optionalScopes). */
  @Column({ name: 'extra_scopes', type: 'jsonb' }) extraScopes: string[];
  @Column({ name: 'return_url', type: 'text', nullable: true }) returnUrl: string | null;
  @Column({ name: 'token_hash', type: 'text' }) tokenHash: string;
  @Column({ type: 'text' }) status: SessionState;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode: string | null;
  @Column({ name: 'error_reason', type: 'text', nullable: true }) errorReason: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  /** The caller's `Idempotency-Key` and a hash of its request, when it sent one. */
  @Column({ name: 'idempotency_key', type: 'text', nullable: true }) idempotencyKey: string | null;
  @Column({ name: 'request_fingerprint', type: 'text', nullable: true }) requestFingerprint: string | null;
}

/** What a session carries to its connection's profile besides the end user (ADR 0017). */
export interface SessionProfile {
  /** `object` rather than a record: TypeORM's insert types cannot go into `unknown`. */
  metadata?: object;
  tags?: Record<string, string>;
}
