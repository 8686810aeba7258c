import { Body, Controller, Headers, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, InternalApiGuard } from '@cb/platform';
import { uuidParam } from '../list-connections/connections.http.controller';
import { CredentialResponse } from './credential.mapper';
import { ReadCredentialRequestDto } from './read-credential.request.dto';
import { ReadCredentialService } from './read-credential.service';

/** The gateway names the caller (its API key id) in this header, for the audit log. */
export const API_KEY_ID_HEADER = 'x-api-key-id';

@Controller('internal/v1/workspaces/:workspaceId/connections')
@UseGuards(InternalApiGuard)
export class ReadCredentialHttpController {
  constructor(private readonly readCredential: ReadCredentialService) {}

  @Post(':connectionId/credential')
  @HttpCode(200)
  async read(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('connectionId', uuidParam('connection')) connectionId: string,
    @Headers(API_KEY_ID_HEADER) apiKeyId: string | undefined,
    @Body() body: ReadCredentialRequestDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CredentialResponse> {
    if (!apiKeyId || apiKeyId.length > 128) throw new AppError('caller_unknown', `the ${API_KEY_ID_HEADER} header must name the caller`, 400);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    return this.readCredential.read(workspaceId, connectionId, apiKeyId, body.includeRefreshToken === true);
  }
}
