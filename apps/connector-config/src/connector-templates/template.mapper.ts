import type { ProviderTemplate, TemplateOverride } from '@cb/auth-modes';
import type { WorkspaceTemplate } from './workspace-templates';

/** A template in API answers: the merged template, whether the workspace overrides it, and the override itself. */
export type TemplateView = Pick<ProviderTemplate, 'id' | 'name' | 'mode' | 'config' | 'defaultScopes' | 'docsUrl' | 'notes' | 'verification'> & {
  readonly overridden: boolean;
  readonly override: TemplateOverride | null;
};

export function toTemplateView({ template, override }: WorkspaceTemplate): TemplateView {
  return {
    id: template.id,
    name: template.name,
    mode: template.mode,
    config: template.config,
    defaultScopes: template.defaultScopes,
    docsUrl: template.docsUrl,
    notes: template.notes,
    ...(template.verification === undefined ? {} : { verification: template.verification }),
    overridden: override !== null,
    override,
  };
}
