import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { clientMetadataDocumentUrl } from '@cb/oauth-client';
import { notFound } from '@cb/platform';
import { Public } from '../auth';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { ErrorBodyDoc } from '../openapi/error-body.docs.dto';
import { isUuid } from '../upstream';
import { WorkspaceEntity } from '../workspaces/workspace.entity';
import { ClientMetadataDocumentDoc } from './client-metadata.docs.dto';

/**
 * A workspace's OAuth client as a Client ID Metadata Document: authorization servers that support
 * them fetch this URL, which is the client id, instead of having the client registered. One per
 * workspace, so that one tenant's consent and revocation at a server never cover another's. A
 * public client (PKCE, no shared secret); the redirect URI is the broker's callback.
 */
@ApiTags('connect')
@Controller()
export class ClientMetadataHttpController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('oauth/client-metadata/:workspaceId')
  @Public()
  @ApiOperation({ summary: "A workspace's Client ID Metadata Document, fetched by authorization servers; its URL is the client id" })
  @ApiOkResponse({ type: ClientMetadataDocumentDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  async document(@Param('workspaceId') workspaceId: string, @Res({ passthrough: true }) response: Response): Promise<ClientMetadataDocumentDoc> {
    if (!isUuid(workspaceId) || !(await this.dataSource.getRepository(WorkspaceEntity).existsBy({ id: workspaceId }))) throw notFound('client metadata document');
    const base = this.config.publicBaseUrl.replace(/\/$/, '');
    response.setHeader('cache-control', 'public, max-age=300');
    return {
      client_id: clientMetadataDocumentUrl(base, workspaceId),
      client_name: 'Credential Broker',
      client_uri: base,
      redirect_uris: [`${base}/oauth/callback`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
}
