import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A workspace's override of one provider template, as validated when it was stored. */
@Entity({ name: 'template_overrides' })
export class TemplateOverrideEntity {
  @PrimaryColumn('uuid', { name: 'workspace_id' }) workspaceId: string;
  @PrimaryColumn('text', { name: 'template_id' }) templateId: string;
  /** A `TemplateOverride` (see @cb/auth-modes). */
  @Column('jsonb') override: Record<string, unknown>;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
