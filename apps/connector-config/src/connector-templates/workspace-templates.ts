import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { applyTemplateOverride, getTemplate, listTemplates, validateTemplateOverride, type ProviderTemplate, type TemplateOverride } from '@cb/auth-modes';
import { AppError, validationFailed } from '@cb/platform';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { TemplateOverrideEntity } from './template-override.entity';

/** A template as one workspace sees it: the stock template with the workspace's override applied, if any. */
export interface WorkspaceTemplate {
  readonly template: ProviderTemplate;
  /** As stored, or `null`. */
  readonly override: TemplateOverride | null;
  /** Whether `template` has the override applied (a stored override that no longer validates is not). */
  readonly applied: boolean;
}

export const unknownTemplate = (id: string): AppError => new AppError('unknown_template', `there is no provider template '${id}'`, 404);

/** The catalogue per workspace: stock templates, merged with the overrides a workspace stores. */
@Injectable()
export class WorkspaceTemplates {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
  ) {}

  async list(workspaceId: string): Promise<WorkspaceTemplate[]> {
    const rows = await this.dataSource.getRepository(TemplateOverrideEntity).findBy({ workspaceId });
    const overrides = new Map(rows.map((row) => [row.templateId, row.override as TemplateOverride]));
    return listTemplates().map((template) => this.merged(template, overrides.get(template.id) ?? null));
  }

  /** @throws `unknown_template` (404) */
  async get(workspaceId: string, templateId: string): Promise<WorkspaceTemplate> {
    const template = this.stock(templateId);
    const row = await this.dataSource.getRepository(TemplateOverrideEntity).findOneBy({ workspaceId, templateId });
    return this.merged(template, (row?.override as TemplateOverride | undefined) ?? null);
  }

  /** Stores (replaces) the workspace's override once the merged template passes validation; nothing is written otherwise. */
  async put(workspaceId: string, templateId: string, body: unknown): Promise<WorkspaceTemplate> {
    const template = this.stock(templateId);
    const checked = validateTemplateOverride(template, body, { allowInsecureLoopback: this.config.runMode === 'development' });
    if (!checked.ok) throw validationFailed(checked.errors);
    await this.dataSource
      .getRepository(TemplateOverrideEntity)
      .upsert({ workspaceId, templateId, override: { ...checked.value.override }, updatedAt: new Date() }, ['workspaceId', 'templateId']);
    return { template: checked.value.merged, override: checked.value.override, applied: true };
  }

  /** Back to the stock template; removing an override that is not there is not an error. */
  async remove(workspaceId: string, templateId: string): Promise<WorkspaceTemplate> {
    const template = this.stock(templateId);
    await this.dataSource.getRepository(TemplateOverrideEntity).delete({ workspaceId, templateId });
    return { template, override: null, applied: false };
  }

  private stock(templateId: string): ProviderTemplate {
    const template = getTemplate(templateId);
    if (template === undefined) throw unknownTemplate(templateId);
    return template;
  }

  /**
   * A stored override was valid against the template when it was stored; should a later catalogue
   * change make it invalid, the stock template applies (and the override can still be read, replaced
   * or removed).
   */
  private merged(template: ProviderTemplate, override: TemplateOverride | null): WorkspaceTemplate {
    if (override === null) return { template, override, applied: false };
    const checked = validateTemplateOverride(template, override, { allowInsecureLoopback: this.config.runMode === 'development' });
    return checked.ok ? { template: applyTemplateOverride(template, override), override, applied: true } : { template, override, applied: false };
  }
}
