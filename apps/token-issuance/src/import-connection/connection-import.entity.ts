import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One imported connection: who imported it (an API key id) and when. Never the credential. */
@Entity({ name: 'connection_imports' })
export class ConnectionImportEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id?: string;
  @Column({ name: 'workspace_id', type: 'uuid' }) workspaceId: string;
  @Column({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ name: 'connector_id', type: 'uuid' }) connectorId: string;
  @Column({ type: 'text' }) mode: string;
  @Column({ name: 'api_key_id', type: 'text' }) apiKeyId: string;
  @Column({ name: 'imported_at', type: 'timestamptz' }) importedAt: Date;
}
