import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An API key: `secretHash` is SHA-256 of the key's random secret; the key itself is never stored. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { name: 'public_id' }) publicId: string;
  @Column('bytea', { name: 'secret_hash' }) secretHash: Buffer;
  @Column('text') name: string;
  @Column('text', { array: true }) scopes: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}
