import type { ProviderTemplate, TemplateOverride } from '@cb/auth-modes';
import type { WorkspaceTemplate } from './workspace-templates';

/** A template in API answers: the template as the workspace sees it, whether an override applies, and the stored override. */
export type TemplateView = Pick<ProviderTemplate, 'id' | 'name' | 'mode' | 'config' | 'defaultScopes' | 'docsUrl' | 'notes' | 'verification'> & {
  readonly overridden: boolean;
  readonly override: TemplateOverride | null;
};

export function toTemplateView({ template, override, applied }: WorkspaceTemplate): TemplateView {
  return {
    id: template.id,
    name: template.name,
    mode: template.mode,
    config: template.config,
    defaultScopes: template.defaultScopes,
    docsUrl: template.docsUrl,
    notes: template.notes,
    ...(template.verification === undefined ? {} : { verification: template.verification }),
    overridden: applied,
    override,
  };
}
