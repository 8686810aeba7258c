import { Body, Controller, Delete, Get, Param, Put, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { toTemplateView, type TemplateView } from './template.mapper';
import { WorkspaceTemplates } from './workspace-templates';

/** The provider templates as a workspace sees them, and the workspace's overrides of them. */
@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connector-templates')
export class ConnectorTemplatesHttpController {
  constructor(private readonly templates: WorkspaceTemplates) {}

  @Get()
  async list(@Param('workspaceId') workspaceId: string): Promise<{ items: TemplateView[] }> {
    return { items: (await this.templates.list(workspaceId)).map(toTemplateView) };
  }

  @Get(':templateId')
  async get(@Param('workspaceId') workspaceId: string, @Param('templateId') templateId: string): Promise<TemplateView> {
    return toTemplateView(await this.templates.get(workspaceId, templateId));
  }

  @Put(':templateId/override')
  async put(@Param('workspaceId') workspaceId: string, @Param('templateId') templateId: string, @Body() body: unknown): Promise<TemplateView> {
    return toTemplateView(await this.templates.put(workspaceId, templateId, body));
  }

  @Delete(':templateId/override')
  async remove(@Param('workspaceId') workspaceId: string, @Param('templateId') templateId: string): Promise<TemplateView> {
    return toTemplateView(await this.templates.remove(workspaceId, templateId));
  }
}
