import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createValidationPipe, HotRoute, INTERNAL_API_TOKEN, INTERNAL_TOKEN_HEADER, InternalTokenCheck } from '@cb/platform';
import { uuidParam } from '../list-connections/connections.http.controller';
import { ReadCredentialRequestDto } from './read-credential.request.dto';
import { ReadCredentialService } from './read-credential.service';
import { callerUnknown } from '../token-issuance.errors';

/** The gateway names the caller (its API key id) in this header, for the audit log. */
export const API_KEY_ID_HEADER = 'x-api-key-id';

const workspaceId = uuidParam('workspace');
const connectionId = uuidParam('connection');
const validation = createValidationPipe();

/**
 * `POST /internal/v1/workspaces/:workspaceId/connections/:connectionId/credential`, the gateway's
 * credential read, answered ahead of Nest's router (ADR 0011) with the checks a Nest route would
 * make, in its order: the internal token, the ids (404), the body (`{ includeRefreshToken? }`, by
 * the one validation pipe unless empty), the caller's key id.
 */
@Injectable()
export class ReadCredentialRoute implements HotRoute {
  readonly method = 'POST';
  readonly path = /^\/internal\/v1\/workspaces\/([^/]+)\/connections\/([^/]+)\/credential\/?$/i;
  readonly template = '/internal/v1/workspaces/:workspaceId/connections/:connectionId/credential';
  private readonly token: InternalTokenCheck;

  constructor(
    private readonly readCredential: ReadCredentialService,
    @Inject(INTERNAL_API_TOKEN) internalApiToken: string,
  ) {
    this.token = new InternalTokenCheck(internalApiToken);
  }

  async handle(request: Request, response: Response, [workspace = '', connection = '']: string[]): Promise<void> {
    this.token.verify(request.headers[INTERNAL_TOKEN_HEADER] as string | undefined);
    await workspaceId.transform(workspace, { type: 'param' });
    await connectionId.transform(connection, { type: 'param' });
    const body = await readBody(request.body);
    const apiKeyId = request.headers[API_KEY_ID_HEADER];
    if (typeof apiKeyId !== 'string' || apiKeyId.length === 0 || apiKeyId.length > 128) throw callerUnknown(API_KEY_ID_HEADER);
    const credential = await this.readCredential.read(workspace, connection, apiKeyId, body.includeRefreshToken === true);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' }).end(JSON.stringify(credential));
  }
}

/** The common body, `{}` or none, needs no validation run. */
async function readBody(body: unknown): Promise<ReadCredentialRequestDto> {
  if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)) return {};
  return (await validation.transform(body, { type: 'body', metatype: ReadCredentialRequestDto })) as ReadCredentialRequestDto;
}
