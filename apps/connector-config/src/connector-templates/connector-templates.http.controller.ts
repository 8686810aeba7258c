import { Controller, Get, UseGuards } from '@nestjs/common';
import { listTemplates, ProviderTemplate } from '@cb/auth-modes';
import { InternalApiGuard } from '@cb/platform';

type TemplateView = Pick<ProviderTemplate, 'id' | 'name' | 'mode' | 'config' | 'defaultScopes' | 'docsUrl'>;

@UseGuards(InternalApiGuard)
@Controller('internal/v1/connector-templates')
export class ConnectorTemplatesHttpController {
  @Get()
  list(): { items: TemplateView[] } {
    return {
      items: listTemplates().map((t) => ({ id: t.id, name: t.name, mode: t.mode, config: t.config, defaultScopes: t.defaultScopes, docsUrl: t.docsUrl })),
    };
  }
}
