import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One credential handed out: who asked (the gateway's API key id), when, for which connection. Never the secret. */
@Entity({ name: 'credential_reads' })
export class CredentialReadEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ name: 'api_key_id', type: 'text' }) apiKeyId: string;
  @Column({ name: 'include_refresh_token', type: 'boolean' }) includeRefreshToken: boolean;
  @Column({ name: 'credential_version', type: 'integer' }) credentialVersion: number;
  @Column({ name: 'read_at', type: 'timestamptz' }) readAt: Date;
}
