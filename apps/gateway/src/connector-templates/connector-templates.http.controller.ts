import { Body, Controller, Delete, Get, Param, Put, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError } from '@cb/platform';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { UpstreamClient, UpstreamRequest } from '../upstream';
import { ErrorBodyDoc } from '../openapi/error-body.docs.dto';
import { ConnectorTemplateDoc, ConnectorTemplateListDoc, ConnectorTemplateOverrideDoc } from './connector-template.docs.dto';

const TEMPLATE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_TEMPLATE_ID_LENGTH = 64;

/** The provider templates as the caller's workspace sees them, and that workspace's overrides; connector-config decides. */
@ApiTags('connectors')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/connector-templates')
export class ConnectorTemplatesHttpController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Get()
  @ApiOperation({ summary: "The provider templates, each merged with the workspace's override when it has one (`overridden`)" })
  @ApiOkResponse({ type: ConnectorTemplateListDoc })
  list(@CurrentWorkspace() caller: WorkspaceContext, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: '' });
  }

  @Get(':id')
  @ApiOperation({ summary: "One provider template, merged with the workspace's override" })
  @ApiOkResponse({ type: ConnectorTemplateDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc, description: '`unknown_template`' })
  get(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: this.item(id) });
  }

  @Put(':id/override')
  @ApiOperation({
    summary: "Set the workspace's override of a template (replacing any earlier one)",
    description: 'Listing templates and creating a connector from this template in the workspace then use the merged result. Other workspaces keep the stock template.',
  })
  @ApiBody({ type: ConnectorTemplateOverrideDoc })
  @ApiOkResponse({ type: ConnectorTemplateDoc, description: 'The merged template.' })
  @ApiBadRequestResponse({ type: ErrorBodyDoc, description: '`validation_failed` with every offending path (`config.<member>`, `defaultScopes`, `name`), `malformed_json`' })
  @ApiNotFoundResponse({ type: ErrorBodyDoc, description: '`unknown_template`' })
  put(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'PUT', path: `${this.item(id)}/override`, body: body ?? {} });
  }

  @Delete(':id/override')
  @ApiOperation({ summary: "Remove the workspace's override: the stock template applies again (also when there was none)" })
  @ApiOkResponse({ type: ConnectorTemplateDoc, description: 'The stock template.' })
  @ApiNotFoundResponse({ type: ErrorBodyDoc, description: '`unknown_template`' })
  remove(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'DELETE', path: `${this.item(id)}/override` });
  }

  /** An id that cannot be a template's is answered here, without echoing it. */
  private item(id: string): string {
    if (id.length > MAX_TEMPLATE_ID_LENGTH || !TEMPLATE_ID.test(id)) throw new AppError('unknown_template', 'there is no provider template with that id', 404);
    return `/${id}`;
  }

  private async forward(res: Response, caller: WorkspaceContext, request: UpstreamRequest): Promise<unknown> {
    const path = `/internal/v1/workspaces/${caller.workspaceId}/connector-templates${request.path}`;
    const upstream = await this.upstream.request('connector-config', { ...request, path });
    res.status(upstream.status);
    return upstream.body;
  }
}
