import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One proxied call: who (the gateway's API key id), which connection, the method and the path
 * without its query string, the answer's status (or the broker's error code), how long and how
 * many bytes. Never a query string, a header, a body or a secret.
 */
@Entity({ name: 'proxy_calls' })
export class ProxyCallEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ name: 'api_key_id', type: 'text' }) apiKeyId: string;
  @Column({ type: 'text' }) method: string;
  @Column({ type: 'text' }) path: string;
  @Column({ type: 'integer' }) status: number;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode: string | null;
  @Column({ type: 'integer' }) attempts: number;
  @Column({ name: 'duration_ms', type: 'integer' }) durationMs: number;
  @Column({ name: 'request_bytes', type: 'bigint' }) requestBytes: string;
  @Column({ name: 'response_bytes', type: 'bigint' }) responseBytes: string;
  @Column({ name: 'called_at', type: 'timestamptz' }) calledAt: Date;
}
